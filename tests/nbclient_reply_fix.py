"""Bound the cost of a missed wake-up while nbclient waits for a cell's execute reply.

nbclient waits for the reply with one poll of the kernel's shell socket lasting the whole cell timeout.
Now and then (about 1 notebook execution in 25 here, more under load; jupyter/nbclient#312) the reply
arrives without waking that poll, which then returns it only when the timeout expires: the cell
succeeds, but late by the full timeout. Polling in slices of at most one second finds such a reply
within a second. Imported by the nbgrader config that tests/workbook/test_classroom.py writes.
"""
import time
from queue import Empty

from jupyter_client.channels import AsyncZMQSocketChannel

SLICE = 1.0
_get_msg = AsyncZMQSocketChannel.get_msg


async def get_msg_in_slices(self, timeout=None):
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = SLICE if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            return await _get_msg(self, min(SLICE, left))
        except Empty:
            if deadline is not None and time.monotonic() >= deadline:
                raise


AsyncZMQSocketChannel.get_msg = get_msg_in_slices
