import { EntitySchema } from 'typeorm';
import { integer, text, timestamptzNow, uuid } from './columns';

/** A row of `imip_replies`: a room mailbox's reply the SMTP server accepted (a retried send skips it). */
export interface ImipReplyEntity {
  messageId: string;
  roomId: string;
  icalUid: string;
  sequence: number;
  recipient: string;
  partstat: string;
  sentAt: Date;
}

export const ImipReplySchema = new EntitySchema<ImipReplyEntity>({
  name: 'ImipReply',
  tableName: 'imip_replies',
  columns: {
    messageId: { name: 'message_id', type: 'text', primary: true },
    roomId: uuid('room_id'),
    icalUid: text('ical_uid'),
    sequence: integer('sequence'),
    recipient: { name: 'recipient', type: 'citext' },
    partstat: text('partstat'),
    sentAt: timestamptzNow('sent_at'),
  },
});
