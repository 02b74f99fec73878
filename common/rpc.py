"""RPC entrypoints that outlive a broker restart.

nameko's responder raises when it cannot publish a reply (the broker went away mid-call), and
that error kills the whole service container: every RPC service would die with the broker.
Here a reply that cannot be sent is logged and dropped instead. The request stays unacked, so
the broker hands it out again once the service has reconnected; the caller has timed out by then
and retries with its idempotency key, which makes running the request twice harmless.
"""
import logging

from nameko.rpc import Rpc, RpcConsumer

from common.broker import BROKER_GONE, ResilientQueueConsumer

log = logging.getLogger(__name__)


class ReplyTolerantRpcConsumer(RpcConsumer):
    queue_consumer = ResilientQueueConsumer()

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_GONE as error:
            log.warning("reply to %s not sent, the broker is unreachable: %s",
                        message.delivery_info.get("routing_key"), type(error).__name__)
            return result, exc_info


class ReplyTolerantRpc(Rpc):
    rpc_consumer = ReplyTolerantRpcConsumer()


rpc = ReplyTolerantRpc.decorator
