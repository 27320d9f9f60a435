"""The queue: issue numbered tickets, call them to counters, follow them to the end of service.

``tickets`` is a ticket as the faces see it, ``issuing`` the kiosk's side (the plain-SQL hot
path), ``calling`` the counters' side, ``board`` the waiting-room display's read. The names
are gathered here because every face reaches for a few of them.
"""

from onestop_desk.services.queue.board import (
    CallRecord,
    CounterBoard,
    DisplayBoard,
    QueueCounts,
    display_board,
    queue_counts,
)
from onestop_desk.services.queue.calling import (
    WaitingTicket,
    act_on_ticket,
    call_back,
    call_next,
    missed_tickets,
    ticket_in_hand,
    transfer_ticket,
    waiting_list,
)
from onestop_desk.services.queue.issuing import issue_ticket, record_print_result, unprinted_tickets
from onestop_desk.services.queue.tickets import TicketInfo, get_ticket, ticket_content

__all__ = [
    "CallRecord",
    "CounterBoard",
    "DisplayBoard",
    "QueueCounts",
    "TicketInfo",
    "WaitingTicket",
    "act_on_ticket",
    "call_back",
    "call_next",
    "display_board",
    "get_ticket",
    "issue_ticket",
    "missed_tickets",
    "queue_counts",
    "record_print_result",
    "ticket_content",
    "ticket_in_hand",
    "transfer_ticket",
    "unprinted_tickets",
    "waiting_list",
]
