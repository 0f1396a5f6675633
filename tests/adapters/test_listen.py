"""The port `serve --http` and `ui` bind before anything loads (listen.py)."""

import asyncio
import socket

from memory_mcp.adapters.mcp_server.listen import listening_socket


def test_connections_accepted_on_the_bound_port_send_without_waiting_for_acks() -> None:
    """uvicorn serves the bound socket with asyncio, which turns Nagle's algorithm off only
    on connections whose socket says IPPROTO_TCP. The listener was made with protocol 0, so
    accepted connections kept Nagle on: a reply's last small write (an event stream's end)
    waited for the client's delayed ACK, 40 ms on every request of a kept-alive connection."""
    sock = listening_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    port = sock.getsockname()[1]
    nodelay: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            nodelay.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(200):
                if nodelay:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(accept_one())
    assert nodelay and nodelay[0] != 0
