"""Modbus TCP and RTU transports for a :class:`~hil.modbus.ModbusSlave`, in an asyncio loop of their own.

* **TCP** (:class:`TcpServer`): MBAP frames on a byte stream. Requests are answered in order, each with
  its own transaction id, also when a master pipelines several in one segment. A header that is not
  Modbus (protocol id other than 0, a length outside 2..254) cannot be resynchronised on a stream, so
  the connection is closed; other connections are not affected.
* **RTU** (:class:`RtuServer`): frames on a serial line, opened exclusively with pyserial. A frame ends
  when the line falls silent for 3.5 character times (1.75 ms above 19,200 baud, as the Modbus
  serial-line specification fixes it) or, for the functions whose length is known, as soon as that
  many bytes with a valid CRC have arrived. Whatever ends in a silence without a valid CRC is dropped
  (no reply), so the first valid frame after garbage or a truncated request is answered. Because USB
  serial adapters and pseudo-terminals deliver a frame in pieces, the silence waited for is at least
  ``min_silence`` (10 ms by default), never less than the specification's.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

from hil.modbus import ModbusSlave, crc16, log, rtu_frame, rtu_request_length

_MBAP = struct.Struct(">HHHB")


class Server(Protocol):
    """What :class:`ServerLoop` starts and stops."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


# ---------------------------------------------------------------------------------------------- TCP


class _TcpConnection(asyncio.Protocol):
    def __init__(self, slave: ModbusSlave, connections: set[_TcpConnection]) -> None:
        self.slave = slave
        self.connections = connections
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= 7:
            transaction, protocol, length, unit = _MBAP.unpack_from(buffer)
            if protocol != 0 or not 2 <= length <= 254:
                assert self.transport is not None
                self.transport.close()  # not Modbus: a byte stream cannot be resynchronised
                buffer.clear()
                return
            end = 6 + length
            if len(buffer) < end:
                return
            pdu = bytes(buffer[7:end])
            del buffer[:end]
            reply = self.slave.answer(unit, pdu)
            if reply is not None and self.transport is not None and not self.transport.is_closing():
                self.transport.write(_MBAP.pack(transaction, 0, len(reply) + 1, unit) + reply)


class TcpServer:
    """Modbus TCP on ``host:port`` (port 0: a free port, see :attr:`port` once started)."""

    def __init__(self, slave: ModbusSlave, host: str = "127.0.0.1", port: int = 0) -> None:
        self.slave = slave
        self.host = host
        self.requested_port = port
        self.server: asyncio.Server | None = None
        self.connections: set[_TcpConnection] = set()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: _TcpConnection(self.slave, self.connections), self.host, self.requested_port
        )

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) the server listens on, once started."""
        assert self.server is not None and self.server.sockets, "the server has not started"
        host, port = self.server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    @property
    def port(self) -> int:
        return self.address[1]

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            for connection in list(self.connections):  # a stopped PLC drops its clients, as a power cut would
                if connection.transport is not None:
                    connection.transport.abort()
            await self.server.wait_closed()


# ---------------------------------------------------------------------------------------------- RTU


@dataclass(frozen=True)
class SerialSettings:
    """A serial line: 8 data bits, and the rest as given.

    Raises:
        ValueError: a baud rate that is not positive, a parity other than N, E, O, stop bits other than 1, 2.
    """

    device: str
    baudrate: int = 19200
    parity: str = "N"  # N, E or O
    stopbits: int = 1

    def __post_init__(self) -> None:
        if self.baudrate <= 0:
            raise ValueError(f"baud rate must be positive, not {self.baudrate}")
        if self.parity not in ("N", "E", "O") or self.stopbits not in (1, 2):
            raise ValueError("parity must be N, E or O and stop bits 1 or 2")

    def silent_interval(self) -> float:
        """3.5 character times in seconds (11 bits a character); 1.75 ms above 19,200 baud."""
        return 0.00175 if self.baudrate > 19200 else 3.5 * 11 / self.baudrate

    def describe(self) -> str:
        return f"{self.device} {self.baudrate} {self.parity} {self.stopbits}"


class RtuServer:
    """Modbus RTU on a serial device (see the module docstring for framing)."""

    def __init__(self, slave: ModbusSlave, settings: SerialSettings, *, min_silence: float = 0.010) -> None:
        self.slave = slave
        self.settings = settings
        self.silence = max(settings.silent_interval(), min_silence)
        self.buffer = bytearray()
        self.port: Any = None
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.failure = ""  # why the line stopped working ('' while it works)

    def make_port(self) -> Any:
        """The pyserial port for the settings, not opened yet (opened exclusively by :meth:`start`)."""
        import serial  # lazily: plcops commands that do not serve RTU never import pyserial

        port = serial.Serial()
        port.port = self.settings.device
        port.baudrate = self.settings.baudrate
        port.bytesize = serial.EIGHTBITS
        port.parity = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}[self.settings.parity]
        port.stopbits = serial.STOPBITS_TWO if self.settings.stopbits == 2 else serial.STOPBITS_ONE
        port.timeout = 0
        port.write_timeout = 1.0
        port.exclusive = True
        return port

    async def start(self) -> None:
        port = self.make_port()
        port.open()
        self.port = port
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(port.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            data = self.port.read(self.port.in_waiting or 1)
        except Exception as exc:  # the device went away (USB adapter unplugged): stop listening, say why
            log.error("serial line %s failed: %s", self.settings.device, exc)
            self.failure = f"serial line {self.settings.device} failed: {exc}"
            assert self._loop is not None
            self._loop.remove_reader(self.port.fileno())
            return
        if not data:
            return
        self.buffer += data
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        length = rtu_request_length(self.buffer)
        if length is not None and len(self.buffer) == length and _crc_ok(self.buffer):
            self._handle(bytes(self.buffer))
            self.buffer.clear()
            return
        assert self._loop is not None
        self._timer = self._loop.call_later(self.silence, self._silent)

    def _silent(self) -> None:
        """The line fell silent: what arrived is one frame, answered if its CRC holds, else dropped."""
        self._timer = None
        frame = bytes(self.buffer)
        self.buffer.clear()
        if len(frame) >= 4 and _crc_ok(frame):
            self._handle(frame)

    def _handle(self, frame: bytes) -> None:
        unit = frame[0]
        reply = self.slave.answer(unit, frame[1:-2])
        if reply is not None:
            self.port.write(rtu_frame(unit, reply))

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.port is not None:
            if self._loop is not None:
                self._loop.remove_reader(self.port.fileno())
            self.port.close()
            self.port = None


def _crc_ok(frame: bytes | bytearray) -> bool:
    return crc16(bytes(frame[:-2])) == int.from_bytes(frame[-2:], "little")


# ---------------------------------------------------------------------------------------------- the loop


class ServerLoop:
    """Servers (and periodic work such as PLC scans) in a private asyncio loop in a background thread.

    ``start`` raises what the servers raise when they cannot listen or open their device (nothing is
    left running then); ``stop`` closes them and joins the thread. Usable as a context manager.
    """

    def __init__(self, *servers: Server) -> None:
        self.servers = list(servers)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self._started: list[Server] = []

    def start(self, timeout: float = 10.0) -> ServerLoop:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = self.loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(self._boot())
            except BaseException as exc:  # reported to the starting thread
                errors.append(exc)
                self._shutdown()
                ready.set()
                return
            ready.set()
            loop.run_forever()
            self._shutdown()

        self.thread = threading.Thread(target=run, name="plcops-modbus", daemon=True)
        self.thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the Modbus server did not start")
        if errors:
            self.thread.join()
            raise errors[0]
        return self

    async def _boot(self) -> None:
        for server in self.servers:
            await server.start()
            self._started.append(server)

    def _shutdown(self) -> None:
        loop = self.loop
        assert loop is not None
        for server in reversed(self._started):
            loop.run_until_complete(server.close())
        self._started.clear()
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    def spawn(self, work: Callable[[], Awaitable[Any]]) -> None:
        """Run a coroutine (made by ``work``) in the loop, from any thread."""
        loop = self.loop
        assert loop is not None
        loop.call_soon_threadsafe(lambda: loop.create_task(work()))  # type: ignore[arg-type]

    def stop(self, timeout: float = 10.0) -> None:
        if self.loop is not None and self.thread is not None and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)

    def __enter__(self) -> ServerLoop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
