#!/usr/bin/env python3
"""Test data for kbrowse's schema decoding, written by Confluent's own serializers.

    produce.py CASE --broker HOST:PORT --registry URL --auth USER:PASS --topic T

Registers the schemas in the registry (scripts/registry-standin), produces the records to
partition 0 of T on the real broker, and prints one JSON line per record, in order: the
key, value and schema ids kbrowse must print, computed here from the same Python objects
with the mapping in kbrowse's README ("Decoded values").
"""
import argparse
import base64
import datetime as dt
import decimal
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import uuid

from confluent_kafka import Producer
from confluent_kafka.serialization import MessageField, SerializationContext

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = dt.timezone.utc


def b64(b):
    return base64.b64encode(b).decode()


def ts(d, digits, z=True):
    s = d.strftime("%Y-%m-%dT%H:%M:%S.%f")[: 20 + digits]
    return s + ("Z" if z else "")


def special(f):
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return f


def schema_id(data):
    return struct.unpack(">I", data[1:5])[0]


class Out:
    def __init__(self, args):
        self.args = args
        create_topic(args.broker, args.topic)
        self.producer = Producer({"bootstrap.servers": args.broker, "linger.ms": 0})
        self.lines = []

    def send(self, key, value, expected):
        self.producer.produce(self.args.topic, key=key, value=value, partition=0)
        self.lines.append(expected)

    def done(self):
        if self.producer.flush(30) != 0:
            sys.exit("produce.py: records were not delivered")
        for line in self.lines:
            print(json.dumps(line))


def create_topic(broker, topic, partitions=1):
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": broker})
    for future in admin.create_topics([NewTopic(topic, partitions, 1)]).values():
        try:
            future.result(30)
        except KafkaException as e:
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise


def registry(args):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    conf = {"url": args.registry}
    if args.auth:
        conf["basic.auth.user.info"] = args.auth
    return SchemaRegistryClient(conf)


def ctx(args, field=MessageField.VALUE):
    return SerializationContext(args.topic, field)


AVRO_ALL = {
    "type": "record",
    "name": "Everything",
    "namespace": "kbtest.avro",
    "fields": [
        {"name": "null_f", "type": "null"},
        {"name": "bool_f", "type": "boolean"},
        {"name": "int_f", "type": "int"},
        {"name": "long_f", "type": "long"},
        {"name": "float_f", "type": "float"},
        {"name": "double_f", "type": "double"},
        {"name": "bytes_f", "type": "bytes"},
        {"name": "string_f", "type": "string"},
        {"name": "fixed_f", "type": {"type": "fixed", "name": "Four", "size": 4}},
        {"name": "enum_f", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "array_f", "type": {"type": "array", "items": "int"}},
        {"name": "map_f", "type": {"type": "map", "values": "string"}},
        {"name": "union_f", "type": ["null", "string", "long"]},
        {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "a", "type": "int"}]}},
        {"name": "inner_again", "type": ["null", "Inner"]},
        {"name": "dec_bytes", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "dec_fixed", "type": {"type": "fixed", "name": "Dec8", "size": 8, "logicalType": "decimal", "precision": 12, "scale": 3}},
        {"name": "uuid_f", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "date_f", "type": {"type": "int", "logicalType": "date"}},
        {"name": "time_ms", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "time_us", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "lts_ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "lts_us", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "duration_f", "type": {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"}},
        {"name": "nan_f", "type": "double"},
        {"name": "inf_f", "type": "float"},
    ],
}


def avro_all(args):
    from confluent_kafka.schema_registry.avro import AvroSerializer

    ser = AvroSerializer(registry(args), json.dumps(AVRO_ALL))
    out = Out(args)
    rows = [
        dict(null_f=None, bool_f=True, int_f=-2147483648, long_f=9007199254740993, float_f=1.5,
             double_f=-0.1, bytes_f=b"\x00\xffab", string_f="h\u00e9llo \"q\" \\ \u2603",
             fixed_f=b"\x01\x02\x03\x04", enum_f="GREEN", array_f=[1, -2, 3], map_f={"b": "x", "a": "y"},
             union_f=None, inner={"a": 7}, inner_again={"a": 8},
             dec_bytes=decimal.Decimal("5.00"), dec_fixed=decimal.Decimal("-12345.678"),
             uuid_f=uuid.UUID("12345678-1234-5678-9abc-def012345678"),
             date_f=dt.date(2024, 2, 29), time_ms=dt.time(12, 34, 56, 789000),
             time_us=dt.time(23, 59, 59, 999999),
             ts_ms=dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC),
             ts_us=dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
             lts_ms=dt.datetime(2024, 5, 6, 7, 8, 9, 120000), lts_us=dt.datetime(2001, 1, 1, 0, 0, 0, 1),
             duration=(1, 2, 3), nan_f=float("nan"), inf_f=float("inf")),
        dict(null_f=None, bool_f=False, int_f=0, long_f=-1, float_f=-0.25, double_f=1e-300,
             bytes_f=b"", string_f="", fixed_f=b"\xff\xff\xff\xff", enum_f="BLUE", array_f=[], map_f={},
             union_f=42, inner={"a": -1}, inner_again=None,
             dec_bytes=decimal.Decimal("-0.01"), dec_fixed=decimal.Decimal("0.000"),
             uuid_f=uuid.UUID("00000000-0000-0000-0000-000000000000"),
             date_f=dt.date(1970, 1, 1), time_ms=dt.time(0, 0, 0), time_us=dt.time(0, 0, 0, 1),
             ts_ms=dt.datetime(1970, 1, 1, tzinfo=UTC), ts_us=dt.datetime(2038, 1, 19, 3, 14, 8, 5, tzinfo=UTC),
             lts_ms=dt.datetime(1999, 12, 31, 23, 59, 59, 999000), lts_us=dt.datetime(2020, 2, 2, 2, 2, 2, 222222),
             duration=(0, 0, 4294967295), nan_f=float("-inf"), inf_f=float("-inf")),
    ]
    for r in rows:
        months, days, millis = r.pop("duration")
        r["duration_f"] = struct.pack("<III", months, days, millis)
        data = ser(r, ctx(args))
        union = r["union_f"]
        expected = {
            "null_f": None, "bool_f": r["bool_f"], "int_f": r["int_f"], "long_f": r["long_f"],
            "float_f": r["float_f"], "double_f": r["double_f"], "bytes_f": b64(r["bytes_f"]),
            "string_f": r["string_f"], "fixed_f": b64(r["fixed_f"]), "enum_f": r["enum_f"],
            "array_f": r["array_f"], "map_f": r["map_f"], "union_f": union, "inner": r["inner"],
            "inner_again": r["inner_again"], "dec_bytes": "%f" % r["dec_bytes"] if False else format(r["dec_bytes"], "f"),
            "dec_fixed": format(r["dec_fixed"], "f"), "uuid_f": str(r["uuid_f"]),
            "date_f": r["date_f"].isoformat(),
            "time_ms": r["time_ms"].strftime("%H:%M:%S.%f")[:12],
            "time_us": r["time_us"].strftime("%H:%M:%S.%f"),
            "ts_ms": ts(r["ts_ms"], 3), "ts_us": ts(r["ts_us"], 6),
            "lts_ms": ts(r["lts_ms"], 3, False), "lts_us": ts(r["lts_us"], 6, False),
            "duration_f": {"months": months, "days": days, "millis": millis},
            "nan_f": special(r["nan_f"]), "inf_f": special(r["inf_f"]),
        }
        out.send(None, data, {"key": None, "value": expected, "value_schema_id": schema_id(data)})
    out.done()


def avro_versions(args):
    """Two schema versions of one subject in one partition, with Avro keys."""
    from confluent_kafka.schema_registry.avro import AvroSerializer

    v1 = {"type": "record", "name": "User", "fields": [{"name": "id", "type": "int"}]}
    v2 = {"type": "record", "name": "User", "fields": [
        {"name": "id", "type": "int"}, {"name": "name", "type": "string", "default": ""}]}
    key_schema = {"type": "record", "name": "UserKey", "fields": [{"name": "k", "type": "long"}]}
    reg = registry(args)
    s1, s2 = AvroSerializer(reg, json.dumps(v1)), AvroSerializer(reg, json.dumps(v2))
    ks = AvroSerializer(reg, json.dumps(key_schema))
    out = Out(args)
    for i, (ser, value) in enumerate([(s1, {"id": 1}), (s2, {"id": 2, "name": "two"}), (s1, {"id": 3})]):
        key = ks({"k": i * 1000}, ctx(args, MessageField.KEY))
        data = ser(value, ctx(args))
        out.send(key, data, {"key": {"k": i * 1000}, "key_schema_id": schema_id(key),
                             "value": value, "value_schema_id": schema_id(data)})
    out.done()


def protoc(tmp):
    from grpc_tools import protoc as grpc_protoc
    import grpc_tools

    proto_dir = os.path.join(HERE, "proto")
    wkt = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    files = ["kbtest/common.proto", "kbtest/order.proto"]
    code = grpc_protoc.main(["protoc", "-I" + proto_dir, "-I" + wkt, "--python_out=" + tmp] + files)
    if code != 0:
        sys.exit("produce.py: protoc failed")
    sys.path.insert(0, tmp)
    from kbtest import order_pb2, common_pb2

    return order_pb2, common_pb2


def order_objects(order_pb2, common_pb2):
    from google.protobuf import duration_pb2, timestamp_pb2, wrappers_pb2

    a = order_pb2.Order(
        id="o-1", total=common_pb2.Money(currency="EUR", units=9007199254740993, cents=-5),
        level=common_pb2.HIGH, card="4111", at=timestamp_pb2.Timestamp(seconds=1714979289, nanos=123000000),
        took=duration_pb2.Duration(seconds=1, nanos=500000000), big=wrappers_pb2.Int64Value(value=-7),
        note=wrappers_pb2.StringValue(value="hi"), gift=True, serial=18446744073709551615, ratio=0.5,
        blob=b"\x00\x01\xfe", small=-3,
    )
    a.counts["x"] = 1
    a.counts["y"] = -2
    a.lines.add(sku="s1", qty=2, price=2.5)
    a.lines.add(sku="s2", qty=0, price=0.0)
    b = order_pb2.Order(id="o-2", token=b"\xff\x00")
    return [a, b]


def proto_expected(msg):
    from google.protobuf import json_format

    return json_format.MessageToDict(
        msg, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def protobuf(args):
    from confluent_kafka.schema_registry.protobuf import ProtobufSerializer

    with tempfile.TemporaryDirectory() as tmp:
        order_pb2, common_pb2 = protoc(tmp)
        reg = registry(args)
        conf = {"use.deprecated.format": False}
        order_ser = ProtobufSerializer(order_pb2.Order, reg, conf)
        parcel_ser = ProtobufSerializer(order_pb2.Shipment.Parcel, reg, conf)
        out = Out(args)
        for msg in order_objects(order_pb2, common_pb2):
            data = order_ser(msg, ctx(args))
            out.send(None, data, {"key": None, "value": proto_expected(msg), "value_schema_id": schema_id(data)})
        parcel = order_pb2.Shipment.Parcel(label=order_pb2.Shipment.Parcel.Label(text="fragile"), weight=12)
        data = parcel_ser(parcel, ctx(args))
        out.send(None, data, {"key": None, "value": proto_expected(parcel), "value_schema_id": schema_id(data)})
        out.done()


def protobuf_raw(args):
    """Plain Protobuf without registry framing, for --proto-path."""
    with tempfile.TemporaryDirectory() as tmp:
        order_pb2, common_pb2 = protoc(tmp)
        out = Out(args)
        for msg in order_objects(order_pb2, common_pb2):
            out.send(None, msg.SerializeToString(), {"key": None, "value": proto_expected(msg)})
        out.done()


def json_schema(args):
    from confluent_kafka.schema_registry.json_schema import JSONSerializer

    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#", "title": "Event", "type": "object",
        "properties": {"name": {"type": "string"}, "n": {"type": "integer"}, "tags": {"type": "array"}},
        "required": ["name"],
    }
    ser = JSONSerializer(json.dumps(schema), registry(args))
    out = Out(args)
    for v in [{"name": "a", "n": 1, "tags": ["x", {"y": None}]}, {"name": "b\u00e9\n"}]:
        data = ser(v, ctx(args))
        out.send(None, data, {"key": None, "value": v, "value_schema_id": schema_id(data)})
    out.done()


def msgpack_case(args):
    import msgpack

    out = Out(args)
    values = [
        ({"a": [1, -2, True, None], "b": b"\x01\x02", "f": 1.5, "big": 2**64 - 1, "e": msgpack.ExtType(5, b"\x09")},
         {"a": [1, -2, True, None], "b": b64(b"\x01\x02"), "f": 1.5, "big": 2**64 - 1, "e": {"type": 5, "base64": b64(b"\x09")}}),
        ("text", "text"),
    ]
    for obj, expected in values:
        out.send(None, msgpack.packb(obj, use_bin_type=True), {"key": None, "value": expected})
    out.done()


def failures(args):
    """A framed value whose id is unknown and Avro bytes that do not match their schema, each
    after one good record."""
    from confluent_kafka.schema_registry.avro import AvroSerializer

    ser = AvroSerializer(registry(args), json.dumps(
        {"type": "record", "name": "F", "fields": [{"name": "s", "type": "string"}]}))
    good = ser({"s": "ok"}, ctx(args))
    sid = schema_id(good)
    unknown = b"\x00" + struct.pack(">I", 999999) + b"\x02a"
    bad = b"\x00" + struct.pack(">I", sid) + b"\x7f"  # a string of length -64
    out = Out(args)
    out.send(None, good, {"key": None, "value": {"s": "ok"}, "value_schema_id": sid})
    out.send(None, unknown, {"key": None, "value": unknown.decode("latin-1"), "value_schema_id": 999999,
                             "raw": b64(unknown)})
    out.send(None, bad, {"key": None, "raw": b64(bad), "value_schema_id": sid})
    out.done()


BENCH = {"type": "record", "name": "Payment", "namespace": "bench", "fields": [
    {"name": "id", "type": "long"}, {"name": "customer", "type": "string"},
    {"name": "sku", "type": "string"}, {"name": "qty", "type": "int"},
    {"name": "price", "type": "double"},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["new", "paid", "shipped"]}},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}


def bench(args):
    """scripts/bench: the same --count values as Avro to --topic and as JSON text to
    --json-topic; prints nothing."""
    import random

    from confluent_kafka.schema_registry.avro import AvroSerializer

    random.seed(1)
    ser = AvroSerializer(registry(args), json.dumps(BENCH))
    create_topic(args.broker, args.topic)
    create_topic(args.broker, args.json_topic)
    p = Producer({"bootstrap.servers": args.broker, "linger.ms": 50, "compression.type": "lz4",
                  "batch.num.messages": 10000, "queue.buffering.max.messages": 1000000})
    when = dt.datetime(2026, 11, 24, 10, tzinfo=UTC)
    for i in range(args.count):
        v = {"id": i, "customer": "c%05d" % random.randrange(100000),
             "sku": "SKU-%06d" % random.randrange(1000000), "qty": random.randrange(1, 9),
             "price": round(random.random() * 100, 2), "status": random.choice(["new", "paid", "shipped"]),
             "ts": when}
        p.produce(args.topic, value=ser(v, ctx(args)), partition=0)
        v["ts"] = ts(when, 3)
        p.produce(args.json_topic, value=json.dumps(v).encode(), partition=0)
        if i % 10000 == 0:
            p.poll(0)
    if p.flush(120) != 0:
        sys.exit("produce.py: records were not delivered")


def avro_payments(args):
    """--count Payment records (the bench's schema) for the TUI's search and filter: customer
    c<i*7 % 100>, status new/paid/shipped in turn, a fixed time."""
    from confluent_kafka.schema_registry.avro import AvroSerializer

    ser = AvroSerializer(registry(args), json.dumps(BENCH))
    out = Out(args)
    when = dt.datetime(2026, 11, 24, 10, tzinfo=UTC)
    for i in range(args.count):
        v = {"id": i, "customer": "c%d" % (i * 7 % 100), "sku": "SKU-%04d" % (i % 1000),
             "qty": i % 9 + 1, "price": i % 50 + 0.5, "status": ["new", "paid", "shipped"][i % 3],
             "ts": when}
        data = ser(v, ctx(args))
        out.send(None, data, {"key": None, "value": dict(v, ts=ts(when, 3)), "value_schema_id": schema_id(data)})
    out.done()


def avro_merged(args):
    """--count Avro Event records in each of 3 partitions (the TUI's merged view): record i of
    partition p at an hour ago (within the broker's retention) + 3i + (2 - p) ms, so time order
    interleaves the partitions; tag "needle" at (2, 5), (1, 20), (0, 20), (1, 33), else "hay"."""
    from confluent_kafka.schema_registry.avro import AvroSerializer

    schema = {"type": "record", "name": "Event", "namespace": "kbtest.merged", "fields": [
        {"name": "id", "type": "int"}, {"name": "part", "type": "int"}, {"name": "tag", "type": "string"}]}
    ser = AvroSerializer(registry(args), json.dumps(schema))
    create_topic(args.broker, args.topic, 3)
    p = Producer({"bootstrap.servers": args.broker, "linger.ms": 0})
    base = int(dt.datetime.now(UTC).timestamp() * 1000) - 3600000
    needles = {(2, 5), (1, 20), (0, 20), (1, 33)}
    lines = []
    for part in range(3):
        for i in range(args.count):
            v = {"id": i, "part": part, "tag": "needle" if (part, i) in needles else "hay"}
            data = ser(v, ctx(args))
            when = base + 3 * i + (2 - part)
            p.produce(args.topic, value=data, partition=part, timestamp=when)
            lines.append({"partition": part, "offset": i, "timestamp": when, "value": v,
                          "value_schema_id": schema_id(data)})
    if p.flush(30) != 0:
        sys.exit("produce.py: records were not delivered")
    for line in lines:
        print(json.dumps(line))


CASES = {"avro-merged": avro_merged, "bench": bench, "avro-payments": avro_payments, "avro-all": avro_all, "avro-versions": avro_versions, "protobuf": protobuf,
         "protobuf-raw": protobuf_raw, "json-schema": json_schema, "msgpack": msgpack_case,
         "failures": failures}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--broker", required=True)
    ap.add_argument("--registry", default="")
    ap.add_argument("--auth", default="")
    ap.add_argument("--topic", required=True)
    ap.add_argument("--json-topic", default="")
    ap.add_argument("--count", type=int, default=200000)
    args = ap.parse_args()
    CASES[args.case](args)


if __name__ == "__main__":
    main()
