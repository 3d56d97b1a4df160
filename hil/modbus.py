"""The Modbus slave of the virtual PLC: a request's PDU in, the reply's PDU out (or silence).

The transports (Modbus TCP and RTU, :mod:`hil.servers`) only frame and unframe; everything a slave
decides is here, following the *MODBUS Application Protocol Specification V1.1b3*:

* the checks run in the specification's order: function code supported (else exception 01), quantity
  and request length valid (else 03), every address mapped and allowed (else 02), then the PLC takes the
  values (a value it refuses: 03; anything failing while executing, such as a runtime error in a scan:
  04);
* exception replies carry the request's function code + 0x80;
* a write is checked as a whole before anything is written: a multi-write that touches one read-only
  address, or carries one value the PLC refuses, changes nothing;
* requests for a unit id the PLC does not have get no answer at all, as an RTU slave behaves (unit 0,
  the RTU broadcast address, is not a unit of the virtual PLC either: its two views differ, so a
  broadcast has no single meaning).

Supported functions: 01/02 read coils/discrete inputs, 03/04 read holding/input registers, 05/06 write
single coil/register, 15/16 write multiple coils/registers, 22 mask write register, 23 read/write
multiple registers, 08 diagnostics (sub-function 00, return query data) and 43/14 read device
identification (basic objects: vendor, product code, revision).

This is our own code rather than pymodbus' server because that server is not a conformant slave in
3.16 (exception replies with function code 0x80, one reply for pipelined requests, RTU frames found by
hunting instead of by the silent interval); pymodbus stays the client of the HIL runner and the
reference in the tests and the benchmark.
"""

from __future__ import annotations

import logging
import struct
import threading
from dataclasses import dataclass
from enum import IntEnum
from typing import Callable

log = logging.getLogger("plcops.hil")

TABLES = ("coil", "discrete", "holding", "input")


class ExceptionCode(IntEnum):
    """Modbus exception codes a slave answers with."""

    ILLEGAL_FUNCTION = 1
    ILLEGAL_DATA_ADDRESS = 2
    ILLEGAL_DATA_VALUE = 3
    DEVICE_FAILURE = 4


EXCEPTION_NAMES = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "device failure",
    5: "acknowledge",
    6: "device busy",
    10: "gateway path unavailable",
    11: "gateway target failed to respond",
}


class Refused(Exception):
    """A request the slave answers with an exception code."""

    def __init__(self, code: ExceptionCode) -> None:
        super().__init__(code.name)
        self.code = code


@dataclass
class Binding:
    """A value behind one or more consecutive Modbus addresses (a DINT takes two registers).

    ``read`` returns every word of the value as it travels (16-bit registers, or ``[0]``/``[1]`` for a
    coil). ``prepare`` is None for a read-only value; otherwise it takes all the words of a write, raises
    ValueError for a value the PLC refuses (exception 03) and returns the function that stores it, so a
    request can check every value before storing any.
    """

    words: int
    read: Callable[[], list[int]]
    prepare: Callable[[list[int]], Callable[[], None]] | None = None

    @property
    def writable(self) -> bool:
        return self.prepare is not None


Slot = tuple[Binding, int]  # a binding and which of its words sits at this address
View = dict[str, dict[int, Slot]]  # table -> address -> slot
Views = dict[int, View]  # unit id -> its view


@dataclass(frozen=True)
class Identity:
    """What function 43/14 (read device identification) reports."""

    vendor: str = "plcops"
    product_code: str = "plcops-virtual-plc"
    revision: str = "0.0"


class ModbusSlave:
    """Answers requests from the views it serves (see the module docstring).

    ``lock`` serialises Modbus access with the PLC's scans when those run in another thread. Set
    ``fault`` to a message to answer every request with exception 04 (the PLC has stopped on an error).
    """

    def __init__(self, views: Views, lock: threading.RLock | None = None, identity: Identity | None = None) -> None:
        self.views = views
        self.lock = lock or threading.RLock()
        self.identity = identity or Identity()
        self.fault: str | None = None
        self.requests = 0
        self.refused = 0
        self._functions: dict[int, Callable[[View, bytes], bytes]] = {
            0x01: lambda view, pdu: self._read_bits(view, "coil", pdu),
            0x02: lambda view, pdu: self._read_bits(view, "discrete", pdu),
            0x03: lambda view, pdu: self._read_registers(view, "holding", pdu),
            0x04: lambda view, pdu: self._read_registers(view, "input", pdu),
            0x05: self._write_coil,
            0x06: self._write_register,
            0x08: self._diagnostics,
            0x0F: self._write_coils,
            0x10: self._write_registers,
            0x16: self._mask_write_register,
            0x17: self._read_write_registers,
            0x2B: self._device_identification,
        }

    def units(self) -> set[int]:
        return set(self.views)

    def answer(self, unit: int, pdu: bytes) -> bytes | None:
        """The reply PDU to a request PDU for ``unit``, or None where a slave stays silent."""
        view = self.views.get(unit)
        if view is None or not pdu:
            return None
        self.requests += 1
        function = pdu[0]
        handler = self._functions.get(function)
        try:
            if handler is None:
                raise Refused(ExceptionCode.ILLEGAL_FUNCTION)
            if self.fault is not None:
                raise Refused(ExceptionCode.DEVICE_FAILURE)
            return handler(view, pdu)
        except Refused as refusal:
            self.refused += 1
            return bytes((function | 0x80, refusal.code))
        except Exception as exc:  # the request was valid but executing it failed (e.g. a scan's runtime error)
            log.warning("unit %d function %d failed: %s", unit, function, exc)
            self.refused += 1
            return bytes((function | 0x80, ExceptionCode.DEVICE_FAILURE))

    # -------------------------------------------------------------------- tables

    def _read(self, view: View, table: str, address: int, count: int) -> list[int]:
        slots = view.get(table, {})
        values: list[int] = []
        current: dict[int, list[int]] = {}  # every binding read once: the words of a DINT belong together
        with self.lock:
            for offset in range(count):
                slot = slots.get(address + offset)
                if slot is None:
                    raise Refused(ExceptionCode.ILLEGAL_DATA_ADDRESS)
                binding, word = slot
                words = current.get(id(binding))
                if words is None:
                    words = current[id(binding)] = binding.read()
                values.append(words[word])
        return values

    def _write(self, view: View, table: str, address: int, values: list[int]) -> None:
        slots = view.get(table, {})
        with self.lock:
            pending: dict[int, tuple[Binding, list[int]]] = {}
            for offset, value in enumerate(values):
                slot = slots.get(address + offset)
                if slot is None or not slot[0].writable:
                    raise Refused(ExceptionCode.ILLEGAL_DATA_ADDRESS)
                binding, word = slot
                entry = pending.get(id(binding))
                if entry is None:
                    entry = pending[id(binding)] = (binding, list(binding.read()))
                entry[1][word] = value
            stores = []
            for binding, words in pending.values():
                assert binding.prepare is not None
                try:
                    stores.append(binding.prepare(words))
                except ValueError:
                    raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE) from None
            for store in stores:
                store()

    # -------------------------------------------------------------------- functions

    def _read_bits(self, view: View, table: str, pdu: bytes) -> bytes:
        address, count = _fields(pdu, ">HH")
        _check_quantity(count, 2000)
        _check_range(address, count)
        bits = self._read(view, table, address, count)
        packed = bytearray((count + 7) // 8)
        for index, bit in enumerate(bits):
            if bit:
                packed[index // 8] |= 1 << (index % 8)
        return bytes((pdu[0], len(packed))) + bytes(packed)

    def _read_registers(self, view: View, table: str, pdu: bytes) -> bytes:
        address, count = _fields(pdu, ">HH")
        _check_quantity(count, 125)
        _check_range(address, count)
        words = self._read(view, table, address, count)
        return bytes((pdu[0], 2 * count)) + struct.pack(f">{count}H", *words)

    def _write_coil(self, view: View, pdu: bytes) -> bytes:
        address, value = _fields(pdu, ">HH")
        if value not in (0x0000, 0xFF00):
            raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
        self._write(view, "coil", address, [1 if value else 0])
        return pdu

    def _write_register(self, view: View, pdu: bytes) -> bytes:
        address, value = _fields(pdu, ">HH")
        self._write(view, "holding", address, [value])
        return pdu

    def _write_coils(self, view: View, pdu: bytes) -> bytes:
        address, count, size = _header(pdu, ">HHB")
        _check_quantity(count, 0x7B0)
        if size != (count + 7) // 8 or len(pdu) != 6 + size:
            raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
        _check_range(address, count)
        data = pdu[6:]
        self._write(view, "coil", address, [(data[i // 8] >> (i % 8)) & 1 for i in range(count)])
        return pdu[:5]

    def _write_registers(self, view: View, pdu: bytes) -> bytes:
        address, count, size = _header(pdu, ">HHB")
        _check_quantity(count, 0x7B)
        if size != 2 * count or len(pdu) != 6 + size:
            raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
        _check_range(address, count)
        self._write(view, "holding", address, list(struct.unpack(f">{count}H", pdu[6:])))
        return pdu[:5]

    def _mask_write_register(self, view: View, pdu: bytes) -> bytes:
        address, and_mask, or_mask = _fields(pdu, ">HHH")
        with self.lock:
            (current,) = self._read(view, "holding", address, 1)
            self._write(view, "holding", address, [(current & and_mask) | (or_mask & ~and_mask & 0xFFFF)])
        return pdu

    def _read_write_registers(self, view: View, pdu: bytes) -> bytes:
        read_address, read_count, write_address, write_count, size = _header(pdu, ">HHHHB")
        _check_quantity(read_count, 125)
        _check_quantity(write_count, 0x79)
        if size != 2 * write_count or len(pdu) != 10 + size:
            raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
        _check_range(read_address, read_count)
        _check_range(write_address, write_count)
        with self.lock:  # the write happens before the read (the specification's order)
            self._write(view, "holding", write_address, list(struct.unpack(f">{write_count}H", pdu[10:])))
            words = self._read(view, "holding", read_address, read_count)
        return bytes((pdu[0], 2 * read_count)) + struct.pack(f">{read_count}H", *words)

    def _diagnostics(self, view: View, pdu: bytes) -> bytes:
        if len(pdu) < 3:
            raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
        if pdu[1:3] != b"\x00\x00":  # only 00: return query data
            raise Refused(ExceptionCode.ILLEGAL_FUNCTION)
        return pdu

    def _device_identification(self, view: View, pdu: bytes) -> bytes:
        if len(pdu) != 4 or pdu[1] != 0x0E:  # MEI type 14: read device identification
            raise Refused(
                ExceptionCode.ILLEGAL_FUNCTION if len(pdu) >= 2 and pdu[1] != 0x0E else ExceptionCode.ILLEGAL_DATA_VALUE
            )
        code, first = pdu[2], pdu[3]
        objects = [self.identity.vendor, self.identity.product_code, self.identity.revision]
        if code not in (1, 2, 3, 4):
            raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
        if code == 4:
            if first >= len(objects):
                raise Refused(ExceptionCode.ILLEGAL_DATA_ADDRESS)
            chosen = [first]
        else:  # basic, regular and extended streams all hold just the basic objects here
            chosen = list(range(first if first < len(objects) else 0, len(objects)))
        body = b"".join(bytes((i, len(objects[i].encode()))) + objects[i].encode() for i in chosen)
        return bytes((0x2B, 0x0E, code, 0x81, 0x00, 0x00, len(chosen))) + body


def _fields(pdu: bytes, layout: str) -> tuple[int, ...]:
    """The fixed fields after the function code; a request of any other length is malformed (03)."""
    if len(pdu) != 1 + struct.calcsize(layout):
        raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
    return struct.unpack_from(layout, pdu, 1)


def _header(pdu: bytes, layout: str) -> tuple[int, ...]:
    """The fixed fields of a request that carries data after them."""
    if len(pdu) < 1 + struct.calcsize(layout):
        raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)
    return struct.unpack_from(layout, pdu, 1)


def _check_quantity(count: int, limit: int) -> None:
    if not 1 <= count <= limit:
        raise Refused(ExceptionCode.ILLEGAL_DATA_VALUE)


def _check_range(address: int, count: int) -> None:
    if address + count > 0x10000:
        raise Refused(ExceptionCode.ILLEGAL_DATA_ADDRESS)


# ---------------------------------------------------------------------------------------------- framing


def crc16(data: bytes) -> int:
    """The Modbus RTU CRC (polynomial 0xA001 reflected, initial 0xFFFF); sent low byte first."""
    crc = 0xFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


def rtu_frame(unit: int, pdu: bytes) -> bytes:
    """An RTU frame: unit, PDU, CRC low byte first."""
    body = bytes((unit,)) + pdu
    return body + crc16(body).to_bytes(2, "little")


def rtu_request_length(frame: bytes | bytearray) -> int | None:
    """The length of the RTU request at the start of ``frame`` as its function code defines it, or None
    while that is not known yet (too few bytes, or a function code whose length the slave does not know:
    then the silent interval ends the frame)."""
    if len(frame) < 2:
        return None
    function = frame[1]
    if function in (1, 2, 3, 4, 5, 6, 8):
        return 8
    if function in (15, 16):
        return 9 + frame[6] if len(frame) >= 7 else None
    if function == 22:
        return 10
    if function == 23:
        return 13 + frame[10] if len(frame) >= 11 else None
    if function == 43:
        return 7
    return None
