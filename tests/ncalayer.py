"""A stand-in for NCALayer, the NCA RK's signing program on a person's computer: a
WebSocket server on 127.0.0.1 that greets as NCALayer 1.4 does and answers the
`kz.gov.pki.knca.basics` module's "sign" with a CMS made by the person's key from the
tests' certification authority (tests/eds_ca.py). `requests` keeps what it was asked."""

from __future__ import annotations

import asyncio
import base64
import json
import threading

from websockets.asyncio.server import serve

from tests.eds_ca import Person, sign_cms


class FakeNCALayer:
    def __init__(self, person: Person):
        self.person = person
        self.requests: list[dict] = []
        self.cancel = False  # the person presses "Cancel" in the NCALayer window
        self.port = 0
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def _session(self, socket):
        await socket.send(json.dumps({"result": {"version": "1.4"}}))
        async for message in socket:
            request = json.loads(message)
            self.requests.append(request)
            args = request.get("args", {})
            if request.get("module") != "kz.gov.pki.knca.basics" or request.get("method") != "sign":
                await socket.send(json.dumps({"status": False, "code": "500", "message": "unknown method"}))
            elif self.cancel:
                await socket.send(json.dumps({"status": False, "code": "500", "message": "action.canceled"}))
            else:
                data = base64.b64decode(args["data"]) if args["signingParams"]["decode"] else args["data"].encode()
                cms = sign_cms(self.person, data, detached=not args["signingParams"]["encapsulate"])
                await socket.send(json.dumps({"status": True, "body": {"result": [base64.b64encode(cms).decode()]}}))

    async def _main(self):
        async with serve(self._session, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._stop = asyncio.get_running_loop().create_future()
            self._ready.set()
            await self._stop

    def start(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),), daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)
