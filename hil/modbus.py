"""Modbus TCP and RTU servers whose data is the virtual PLC's own variables (pymodbus 3.16).

pymodbus 3.16 copies its data blocks into an internal store, so overriding ``getValues``/``setValues`` of
a data block does nothing; the request handler calls ``server.context.async_getValues`` and
``async_setValues`` directly. :class:`PlcContext` is such a context: every read computes the current
values, every write goes to the PLC, and a write that touches anything read-only is refused as a whole
with exception 02 (ILLEGAL DATA ADDRESS), changing nothing. Requests for a unit id the PLC does not have
get no answer at all, as an RTU slave behaves: the request is dropped by the ``trace_pdu`` hook before it
runs, and any reply to such a unit is dropped by ``trace_packet``.

These rely on pymodbus internals (``server.context``, ``trace_pdu`` returning None); tests pin the behaviour.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any, Callable

from pymodbus.constants import ExcCodes
from pymodbus.exceptions import NoSuchIdException
from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

# Function code -> the table it reads or writes (22: mask write, 23: read/write multiple registers).
FUNCTION_TABLES = {
    1: "coil",
    5: "coil",
    15: "coil",
    2: "discrete",
    4: "input",
    3: "holding",
    6: "holding",
    16: "holding",
    22: "holding",
    23: "holding",
}


@dataclass
class Cell:
    """One Modbus address: ``get`` runs on every read; ``set`` is None for read-only addresses and may
    raise ValueError to refuse a value (exception 03)."""

    get: Callable[[], int | bool]
    set: Callable[[int | bool], None] | None = None


Views = dict[int, dict[str, dict[int, Cell]]]  # unit -> table -> address -> cell


class PlcContext:
    """The server's data: views by unit id (see the module docstring).

    ``lock`` serialises Modbus access with the PLC's scans when they run in another thread; ``on_write``
    is called after every accepted write (for the lockstep control block, logging, ...).
    """

    def __init__(self, views: Views, lock: threading.RLock | None = None) -> None:
        self.views = views
        self.lock = lock or threading.RLock()
        self.requests = 0
        self.refused = 0

    def device_ids(self) -> list[int]:
        return list(self.views)

    def _cells(self, device_id: int, function_code: int, address: int, count: int) -> list[Cell] | ExcCodes:
        view = self.views.get(device_id)
        if view is None:
            raise NoSuchIdException(f"unit {device_id}")  # no answer (ignore_missing_devices)
        table = FUNCTION_TABLES.get(function_code)
        if table is None:
            return ExcCodes.ILLEGAL_FUNCTION
        if count < 1:
            return ExcCodes.ILLEGAL_VALUE
        cells = [view.get(table, {}).get(a) for a in range(address, address + count)]
        if any(cell is None for cell in cells):
            return ExcCodes.ILLEGAL_ADDRESS
        return [cell for cell in cells if cell is not None]

    async def async_getValues(
        self, device_id: int, func_code: int, address: int, count: int = 1
    ) -> list[Any] | ExcCodes:
        self.requests += 1
        cells = self._cells(device_id, func_code, address, count)
        if isinstance(cells, ExcCodes):
            return cells
        with self.lock:
            values = [cell.get() for cell in cells]
        if FUNCTION_TABLES[func_code] in ("coil", "discrete"):
            return [bool(v) for v in values]
        return [int(v) & 0xFFFF for v in values]

    async def async_setValues(self, device_id: int, func_code: int, address: int, values: list[Any]) -> ExcCodes | None:
        self.requests += 1
        cells = self._cells(device_id, func_code, address, len(values))
        if isinstance(cells, ExcCodes):
            self.refused += 1
            return cells
        if any(cell.set is None for cell in cells):
            self.refused += 1
            return ExcCodes.ILLEGAL_ADDRESS  # validated before writing: a refused write changes nothing
        with self.lock:
            try:
                for cell, value in zip(cells, values, strict=True):
                    assert cell.set is not None
                    cell.set(value)
            except ValueError:
                self.refused += 1
                return ExcCodes.ILLEGAL_VALUE
        return None


def _unit_filters(units: set[int], framer: FramerType) -> tuple[Callable[..., Any], Callable[..., Any]]:
    position = 6 if framer == FramerType.SOCKET else 0  # the unit id byte: MBAP header, or RTU address

    def trace_pdu(sending: bool, pdu: Any) -> Any:
        return pdu if sending or pdu.dev_id in units else None  # None: drop the request unanswered

    def trace_packet(sending: bool, data: bytes) -> bytes:
        return b"" if sending and len(data) > position and data[position] not in units else data

    return trace_pdu, trace_packet


def _placeholder() -> SimDevice:
    # pymodbus' constructors insist on a device; the real data is installed as server.context.
    return SimDevice(0, simdata=SimData(0, values=0, datatype=DataType.REGISTERS))


def tcp_server(context: PlcContext, host: str = "127.0.0.1", port: int = 0) -> ModbusTcpServer:
    """A Modbus TCP server for a context (create it inside the event loop that runs it)."""
    trace_pdu, trace_packet = _unit_filters(set(context.views), FramerType.SOCKET)
    server = ModbusTcpServer(
        _placeholder(),
        address=(host, port),
        ignore_missing_devices=True,
        trace_pdu=trace_pdu,
        trace_packet=trace_packet,
    )
    server.context = context  # type: ignore[assignment]
    return server


def rtu_server(
    context: PlcContext, device: str, baudrate: int = 19200, parity: str = "N", stopbits: int = 1
) -> ModbusSerialServer:
    """A Modbus RTU server on a serial device (opened exclusively)."""
    trace_pdu, trace_packet = _unit_filters(set(context.views), FramerType.RTU)
    server = ModbusSerialServer(
        _placeholder(),
        framer=FramerType.RTU,
        port=device,
        baudrate=baudrate,
        parity=parity,
        stopbits=stopbits,
        bytesize=8,
        ignore_missing_devices=True,
        trace_pdu=trace_pdu,
        trace_packet=trace_packet,
    )
    server.context = context  # type: ignore[assignment]
    return server


def bound_port(server: ModbusTcpServer) -> int:
    """The TCP port a server listens on (after it started; useful with port 0)."""
    return int(server.transport.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


class ServerLoop:
    """Servers (and periodic work such as PLC scans) in a private asyncio loop in a background thread.

    ``start`` raises what the servers raise when they cannot listen or open their device; ``stop`` shuts
    them down and joins the thread. Usable as a context manager.
    """

    def __init__(self, *factories: Callable[[], Any]) -> None:
        self.factories = factories
        self.servers: list[Any] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> ServerLoop:
        ready = threading.Event()
        errors: list[BaseException] = []

        async def boot() -> None:
            for factory in self.factories:
                server = factory()
                await server.serve_forever(background=True)
                self.servers.append(server)

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            try:
                self.loop.run_until_complete(boot())
            except BaseException as exc:  # reported to the starting thread
                errors.append(exc)
                ready.set()
                self._cleanup()
                return
            ready.set()
            self.loop.run_forever()
            self._cleanup()

        self.thread = threading.Thread(target=run, name="plcops-modbus", daemon=True)
        self.thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the Modbus server did not start")
        if errors:
            self.thread.join()
            raise errors[0]
        return self

    def call(self, function: Callable[[], Any]) -> None:
        """Run a function in the loop's thread (thread-safe)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(function)

    def _cleanup(self) -> None:
        loop = self.loop
        assert loop is not None
        for server in self.servers:
            loop.run_until_complete(server.shutdown())
        self.servers.clear()
        loop.run_until_complete(asyncio.sleep(0))
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    @property
    def port(self) -> int:
        return bound_port(self.servers[0])

    def stop(self, timeout: float = 10.0) -> None:
        if self.loop is not None and self.thread is not None and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)

    def __enter__(self) -> ServerLoop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
