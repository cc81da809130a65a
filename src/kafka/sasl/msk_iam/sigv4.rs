//! AWS Signature Version 4: the canonical request, the string to sign, the signing key, and a
//! presigned (query-string) request as AWS_MSK_IAM sends it.
//!
//! Hand-written on hmac/sha2 (see the module doc of `msk_iam` for why). Paths are given
//! decoded and encoded once per segment; query names and values are given decoded.

use std::time::SystemTime;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::credentials::Credentials;

/// The algorithm name in every SigV4 string.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// SHA-256 of the empty payload, the payload hash of a bodiless presigned GET.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// One request to sign: the parts SigV4 reads.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The decoded path, `/` for the root.
    pub path: &'a str,
    /// Decoded query parameters, in any order.
    pub query: Vec<(String, String)>,
    /// Headers to sign (names in any case).
    pub headers: Vec<(String, String)>,
    /// Hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
    pub payload_sha256: String,
}

/// Who signs, where and when.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The region, `us-east-1`.
    pub region: &'a str,
    /// The service, `kafka-cluster`.
    pub service: &'a str,
    /// The signing time.
    pub time: SystemTime,
}

impl Scope<'_> {
    /// `YYYYMMDDTHHMMSSZ`.
    pub fn amz_date(&self) -> String {
        chrono::DateTime::<chrono::Utc>::from(self.time)
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    }

    /// `YYYYMMDD`.
    pub fn date(&self) -> String {
        chrono::DateTime::<chrono::Utc>::from(self.time)
            .format("%Y%m%d")
            .to_string()
    }

    /// `YYYYMMDD/region/service/aws4_request`.
    pub fn credential_scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date(),
            self.region,
            self.service
        )
    }
}

/// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is
/// `%XX` (upper-case hex); `/` stays only when `keep_slash` (paths).
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical query string: names and values encoded, sorted by name then value.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical headers block and the signed-headers list: names lower-cased and sorted,
/// values trimmed with inner runs of spaces collapsed, repeated names joined by commas.
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut merged: Vec<(String, String)> = Vec::new();
    let mut sorted: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    // Stable: repeated names keep their order.
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value) in sorted {
        match merged.last_mut() {
            Some((last, values)) if *last == name => {
                values.push(',');
                values.push_str(&value);
            }
            _ => merged.push((name, value)),
        }
    }
    let block = merged.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed = merged
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (block, signed)
}

/// The canonical request (six lines joined by `\n`).
pub fn canonical_request(request: &Request<'_>) -> String {
    let (headers, signed) = canonical_headers(&request.headers);
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        uri_encode(request.path, true),
        canonical_query(&request.query),
        headers,
        signed,
        request.payload_sha256
    )
}

/// The string to sign for `canonical_request`.
pub fn string_to_sign(scope: &Scope<'_>, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        scope.amz_date(),
        scope.credential_scope(),
        hex(&Sha256::digest(canonical_request.as_bytes()))
    )
}

/// The signing key: HMAC chain over date, region, service and `aws4_request`.
pub fn signing_key(secret_access_key: &str, scope: &Scope<'_>) -> [u8; 32] {
    let k_date = hmac(
        format!("AWS4{secret_access_key}").as_bytes(),
        scope.date().as_bytes(),
    );
    let k_region = hmac(&k_date, scope.region.as_bytes());
    let k_service = hmac(&k_region, scope.service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The hex signature of `request`.
pub fn sign(secret_access_key: &str, scope: &Scope<'_>, request: &Request<'_>) -> String {
    let to_sign = string_to_sign(scope, &canonical_request(request));
    hex(&hmac(
        &signing_key(secret_access_key, scope),
        to_sign.as_bytes(),
    ))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256.
pub fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The query parameters of a presigned GET of `https://{host}{path}?{query}`, signature last:
/// `X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`, `-Security-Token` (with a session
/// token), `-SignedHeaders` (`host`) and `-Signature`, after `query`'s own.
pub fn presign(
    host: &str,
    path: &str,
    query: &[(String, String)],
    credentials: &Credentials,
    scope: &Scope<'_>,
    expires_secs: u64,
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = query.to_vec();
    params.push(("X-Amz-Algorithm".into(), ALGORITHM.into()));
    params.push((
        "X-Amz-Credential".into(),
        format!("{}/{}", credentials.access_key_id, scope.credential_scope()),
    ));
    params.push(("X-Amz-Date".into(), scope.amz_date()));
    params.push(("X-Amz-Expires".into(), expires_secs.to_string()));
    if let Some(token) = &credentials.session_token {
        params.push(("X-Amz-Security-Token".into(), token.clone()));
    }
    params.push(("X-Amz-SignedHeaders".into(), "host".into()));
    let request = Request {
        method: "GET",
        path,
        query: params.clone(),
        headers: vec![("host".into(), host.into())],
        payload_sha256: EMPTY_PAYLOAD_SHA256.into(),
    };
    params.push((
        "X-Amz-Signature".into(),
        sign(&credentials.secret_access_key, scope, &request),
    ));
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    // AWS's SigV4 test suite (aws-sig-v4-test-suite): these credentials, region, service and
    // time, and the published signatures.
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SUITE_TIME: u64 = 1_440_938_160; // 2015-08-30T12:36:00Z

    fn suite_scope() -> Scope<'static> {
        Scope {
            region: "us-east-1",
            service: "service",
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(SUITE_TIME),
        }
    }

    fn suite_request<'a>(
        method: &'a str,
        path: &'a str,
        query: &[(&str, &str)],
        extra: &[(&str, &str)],
        body: &str,
    ) -> Request<'a> {
        let mut headers = vec![
            ("Host".to_string(), "example.amazonaws.com".to_string()),
            ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
        ];
        headers.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        Request {
            method,
            path,
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers,
            payload_sha256: hex(&Sha256::digest(body.as_bytes())),
        }
    }

    #[test]
    fn get_vanilla() {
        let req = suite_request("GET", "/", &[], &[], "");
        assert_eq!(
            canonical_request(&req),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            string_to_sign(&suite_scope(), &canonical_request(&req)),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(
            sign(SECRET, &suite_scope(), &req),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn get_vanilla_query_order_key_case() {
        let req = suite_request(
            "GET",
            "/",
            &[("Param2", "value2"), ("Param1", "value1")],
            &[],
            "",
        );
        assert_eq!(canonical_query(&req.query), "Param1=value1&Param2=value2");
        assert_eq!(
            hex(&Sha256::digest(canonical_request(&req).as_bytes())),
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"
        );
        assert_eq!(
            sign(SECRET, &suite_scope(), &req),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
    }

    #[test]
    fn get_vanilla_query_order_value() {
        let req = suite_request(
            "GET",
            "/",
            &[("Param1", "value2"), ("Param1", "value1")],
            &[],
            "",
        );
        assert_eq!(
            sign(SECRET, &suite_scope(), &req),
            "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"
        );
    }

    #[test]
    fn get_unreserved() {
        let path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let req = suite_request("GET", path, &[], &[], "");
        assert_eq!(
            sign(SECRET, &suite_scope(), &req),
            "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"
        );
    }

    #[test]
    fn get_header_value_trim() {
        let req = suite_request(
            "GET",
            "/",
            &[],
            &[("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")],
            "",
        );
        assert_eq!(
            sign(SECRET, &suite_scope(), &req),
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        );
    }

    #[test]
    fn get_header_key_duplicate() {
        let req = suite_request(
            "GET",
            "/",
            &[],
            &[
                ("My-Header1", "value2"),
                ("My-Header1", "value2"),
                ("My-Header1", "value1"),
            ],
            "",
        );
        assert_eq!(
            sign(SECRET, &suite_scope(), &req),
            "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        );
    }

    #[test]
    fn post_x_www_form_urlencoded() {
        let req = suite_request(
            "POST",
            "/",
            &[],
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "Param1=value1",
        );
        assert_eq!(
            sign(SECRET, &suite_scope(), &req),
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        );
    }

    #[test]
    fn encoding() {
        assert_eq!(
            uri_encode("kafka-cluster:Connect", false),
            "kafka-cluster%3AConnect"
        );
        assert_eq!(uri_encode("a/b c+ሴ", false), "a%2Fb%20c%2B%E1%88%B4");
        assert_eq!(uri_encode("/a b/", true), "/a%20b/");
    }
}
