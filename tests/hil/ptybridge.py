"""A null-modem cable made of two pty pairs and a copy thread (no socat needed), for RTU tests.

    with PtyPair() as (dev_a, dev_b):   # e.g. "/dev/pts/3", "/dev/pts/4"
        server on dev_a, client on dev_b

Bytes written to dev_a come out of dev_b and vice versa. Both slaves are in raw mode and stay open in
the bridge, so a client may close and reopen its end. ptys ignore the baud rate: bytes move at memory
speed, but the termios settings a program applies to a slave (baud, parity, stop bits) can be read back
through :attr:`PtyPair.s1` / :attr:`PtyPair.s2`.
"""

from __future__ import annotations

import os
import select
import threading
import tty


class PtyPair:
    def __init__(self) -> None:
        self.m1, self.s1 = os.openpty()
        self.m2, self.s2 = os.openpty()
        for fd in (self.s1, self.s2):
            tty.setraw(fd)  # no echo, no CR/LF mangling even before pyserial opens the slave
        # Keep the slave fds open ourselves: reading a master whose slave is (momentarily) closed raises
        # EIO, and a closing client would otherwise kill the bridge.
        self.path_a = os.ttyname(self.s1)
        self.path_b = os.ttyname(self.s2)
        self._stop_r, self._stop_w = os.pipe()
        self.thread = threading.Thread(target=self._run, name="pty-bridge", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        peer = {self.m1: self.m2, self.m2: self.m1}
        while True:
            readable, _, _ = select.select([self.m1, self.m2, self._stop_r], [], [])
            if self._stop_r in readable:
                return
            for fd in readable:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    continue
                if data:
                    os.write(peer[fd], data)

    def close(self) -> None:
        os.write(self._stop_w, b"x")
        self.thread.join(2)
        for fd in (self.m1, self.m2, self.s1, self.s2, self._stop_r, self._stop_w):
            os.close(fd)

    def __enter__(self) -> tuple[str, str]:
        return self.path_a, self.path_b

    def __exit__(self, *exc: object) -> None:
        self.close()
