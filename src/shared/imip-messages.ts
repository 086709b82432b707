/** What the listener hands the invite workflow: the parsed invite, or why it cannot be booked. */
export interface InviteWorkflowInput {
  roomId: string;
  invite: {
    method: 'REQUEST' | 'CANCEL';
    uid: string;
    sequence: number;
    /** The ORGANIZER's address, lower-cased. */
    organizer: string;
    title: string;
    /** UTC ISO-8601. */
    start: string;
    end: string;
    /** The IANA zone of DTSTART (Windows names mapped), for a series' rule; UTC when given in UTC. */
    timezone: string;
    /** RFC 5545 RRULE value (a series) and the starts it leaves out (UTC ISO-8601). */
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
