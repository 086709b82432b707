/** What the listener hands the invite workflow: the parsed invite, or why it cannot be booked. */
export interface InviteWorkflowInput {
  roomId: string;
  invite: {
    method: 'REQUEST' | 'CANCEL';
    uid: string;
    sequence: number;
    organizer: string;
    title: string;
    start: string;
    end: string;
    timezone: string;
    rrule?: string;
    exdates: string[];
  };
  /** Set when the message cannot book (all-day, floating time): the room declines with it. */
  refusal?: string;
}

export interface InviteOutcome {
  /** What happened: booked, moved, cancelled, declined, ignored (stale SEQUENCE, unknown organizer). */
  result: 'booked' | 'moved' | 'cancelled' | 'declined' | 'ignored';
  bookingId?: string;
  seriesId?: string;
  reply?: { status: 'ACCEPTED' | 'DECLINED'; comment: string };
}

/** One workflow per room, UID, SEQUENCE and method: a redelivered message starts nothing new. */
export function inviteWorkflowId(input: Pick<InviteWorkflowInput, 'roomId' | 'invite'>): string {
  return `imip:${input.roomId}:${input.invite.method}:${input.invite.sequence}:${input.invite.uid}`;
}
