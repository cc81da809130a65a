//! Batch decompression with a cap on the output. kafka-protocol's codecs (0.18) inflate
//! without a limit, and its snappy path allocates whatever length the stream claims, so a
//! small hostile batch could ask for gigabytes. Same codec crates, bounded here.

use std::io::Read;

use bytes::Bytes;

use super::records::Codec;

/// The most bytes one batch may decompress to.
pub const MAX_DECOMPRESSED: usize = 128 << 20;

/// Decompresses one batch's records; never produces (or allocates) more than `cap` bytes.
pub fn decompress(codec: Codec, data: &[u8], cap: usize) -> Result<Bytes, String> {
    match codec {
        Codec::None => Ok(Bytes::copy_from_slice(data)),
        Codec::Gzip => read_capped(flate2::read::GzDecoder::new(data), cap, "gzip"),
        Codec::Lz4 => {
            let r =
                lz4::Decoder::new(data).map_err(|e| format!("lz4 decompression failed: {e}"))?;
            read_capped(r, cap, "lz4")
        }
        Codec::Zstd => {
            let r = zstd::stream::read::Decoder::with_buffer(data)
                .map_err(|e| format!("zstd decompression failed: {e}"))?;
            read_capped(r, cap, "zstd")
        }
        Codec::Snappy => snappy(data, cap),
    }
}

fn too_big(name: &str, cap: usize) -> String {
    format!("{name} batch decompresses to more than {} MiB", cap >> 20)
}

fn read_capped(r: impl Read, cap: usize, name: &str) -> Result<Bytes, String> {
    let mut out = Vec::new();
    r.take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name} decompression failed: {e}"))?;
    if out.len() > cap {
        return Err(too_big(name, cap));
    }
    Ok(out.into())
}

/// More than any snappy block can expand (64 bytes from a 3-byte copy element is the most).
const SNAPPY_MAX_EXPANSION: usize = 22;

/// Kafka's snappy is xerial-framed (a 16-byte header, then length-prefixed raw blocks);
/// a stream without the header is one raw block.
fn snappy(data: &[u8], cap: usize) -> Result<Bytes, String> {
    const XERIAL: &[u8; 8] = b"\x82SNAPPY\x00";
    let err = |e: snap::Error| format!("snappy decompression failed: {e}");
    let mut out: Vec<u8> = Vec::new();
    let block = |raw: &[u8], out: &mut Vec<u8>| -> Result<(), String> {
        let len = snap::raw::decompress_len(raw).map_err(err)?;
        if out.len().saturating_add(len) > cap {
            return Err(too_big("snappy", cap));
        }
        // The output is allocated before decoding, so the claimed length must be one the block
        // can produce: a snappy element expands at most 64 bytes from 3 (a 2-byte-offset copy).
        if len > raw.len().saturating_mul(SNAPPY_MAX_EXPANSION) {
            return Err(format!(
                "snappy block claims {len} bytes from {} compressed bytes",
                raw.len()
            ));
        }
        let start = out.len();
        out.resize(start + len, 0);
        let n = snap::raw::Decoder::new()
            .decompress(raw, &mut out[start..])
            .map_err(err)?;
        out.truncate(start + n);
        Ok(())
    };
    if data.len() < 16 || &data[..8] != XERIAL {
        block(data, &mut out)?;
        return Ok(out.into());
    }
    let mut pos = 16;
    while pos < data.len() {
        let len_bytes = data
            .get(pos..pos + 4)
            .ok_or("snappy block length cut off")?;
        let len =
            u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]) as usize;
        let raw = data
            .get(pos + 4..pos.saturating_add(4).saturating_add(len))
            .ok_or("snappy block cut off")?;
        block(raw, &mut out)?;
        pos += 4 + len;
    }
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const MIB: usize = 1 << 20;

    #[test]
    fn bombs_stop_at_the_cap() {
        let zeros = vec![0u8; 3 * MIB];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&zeros).unwrap();
        let gz = gz.finish().unwrap();
        let zs = zstd::encode_all(&zeros[..], 19).unwrap();
        let raw_snappy = snap::raw::Encoder::new().compress_vec(&zeros).unwrap();
        for (codec, data) in [
            (Codec::Gzip, gz),
            (Codec::Zstd, zs),
            (Codec::Snappy, raw_snappy),
        ] {
            assert!(data.len() < 200 * 1024, "{codec:?}: {} bytes", data.len());
            assert_eq!(
                decompress(codec, &data, 3 * MIB).map(|b| b.len()),
                Ok(3 * MIB)
            );
            let err = decompress(codec, &data, MIB).unwrap_err();
            assert_eq!(
                err,
                format!("{} batch decompresses to more than 1 MiB", codec.name())
            );
        }
    }

    #[test]
    fn a_snappy_header_claiming_gigabytes_is_refused_before_allocating() {
        // varint 0xffffffff: "4 GiB follow", in five bytes.
        let claim = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00];
        let err = decompress(Codec::Snappy, &claim, MAX_DECOMPRESSED).unwrap_err();
        assert_eq!(err, "snappy batch decompresses to more than 128 MiB");
        let mut framed = b"\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01".to_vec();
        framed.extend_from_slice(&(claim.len() as u32).to_be_bytes());
        framed.extend_from_slice(&claim);
        assert_eq!(
            decompress(Codec::Snappy, &framed, MAX_DECOMPRESSED).unwrap_err(),
            err
        );
    }
}
