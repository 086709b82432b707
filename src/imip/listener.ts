import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../infra/logger';
import { findRoomBySlug } from '../db/repositories/imip';
import { slugOfMailbox } from '../domain/room-mailbox';
import { workflowAlreadyStarted } from '../infra/temporal-errors';
import { inviteWorkflowId, type InviteWorkflowInput } from '../shared/imip-messages';
import { roomInviteWorkflow } from '../workflows/imip';
import { InviteRefusal, parseInviteMessage, type Invite } from './invite-parser';

export interface InboundMailDeps {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  temporal: Client;
}

/** An SMTP reply code with its text: smtp-server answers the client with it. */
const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

async function readLimited(stream: SMTPServerDataStream): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return stream.sizeExceeded ? undefined : Buffer.concat(chunks);
}

/**
 * The rooms' inbound SMTP listener (MAIL_INBOUND_PORT): accepts mail for room mailboxes only
 * (others are refused at RCPT TO), up to MAIL_INBOUND_MAX_BYTES, and hands each invite to a
 * durable workflow per room, UID, SEQUENCE and method. A message it cannot read is accepted and
 * dropped (a refusal would make the sender's server bounce it to whoever it claims to be from).
 */
export function createInboundMailServer(deps: InboundMailDeps): SMTPServer {
  const { config, logger } = deps;
  const log = logger.child({ component: 'imip' });

  async function dispatch(roomId: string, invite: Invite | Partial<Invite>, refusal?: string): Promise<void> {
    const input: InviteWorkflowInput = {
      roomId,
      invite: {
        method: invite.method ?? 'REQUEST',
        uid: invite.uid!,
        sequence: invite.sequence ?? 0,
        organizer: invite.organizer!,
        title: invite.title ?? '',
        start: invite.start ?? '',
        end: invite.end ?? '',
        timezone: invite.timezone ?? 'UTC',
        ...(invite.rrule ? { rrule: invite.rrule } : {}),
        exdates: invite.exdates ?? [],
      },
      ...(refusal ? { refusal } : {}),
    };
    try {
      await deps.temporal.workflow.start(roomInviteWorkflow, {
        workflowId: inviteWorkflowId(input),
        taskQueue: config.temporal.taskQueue,
        args: [input],
        // The same message again (a redelivery, a resend) finds this id taken and books nothing.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!workflowAlreadyStarted(err)) throw err;
      log.info({ roomId, uid: input.invite.uid, sequence: input.invite.sequence }, 'invite already handled');
    }
  }

  async function onMessage(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const roomIds = (session.envelope.rcptTo as { address: string; roomId?: string }[])
      .map((r) => r.roomId)
      .filter((id): id is string => Boolean(id));
    let invite: Invite | Partial<Invite>;
    let refusal: string | undefined;
    try {
      invite = await parseInviteMessage(raw);
    } catch (err) {
      if (!(err instanceof InviteRefusal)) throw err;
      log.info({ reason: err.message }, 'inbound message refused');
      // Only a message that names its event and organizer can be answered.
      if (!err.invite?.uid || !err.invite.organizer) return;
      invite = err.invite;
      refusal = err.message;
    }
    for (const roomId of new Set(roomIds)) await dispatch(roomId, invite, refusal);
  }

  return new SMTPServer({
    name: config.roomMail.domain,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: config.roomMail.maxMessageBytes,
    banner: 'Roombook room mailboxes',
    logger: false,
    onRcptTo(address, session, callback) {
      const slug = slugOfMailbox(address.address, config.roomMail.domain);
      if (!slug) return callback(smtpError(550, `5.1.1 <${address.address}>: not a room mailbox`));
      findRoomBySlug(deps.dataSource, slug).then(
        (room) => {
          if (!room) return callback(smtpError(550, `5.1.1 <${address.address}>: no such room`));
          Object.assign(address, { roomId: room.id });
          callback();
        },
        (err: Error) => {
          log.warn({ err: err.message }, 'room lookup failed');
          callback(smtpError(451, '4.3.0 temporarily unavailable, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      readLimited(stream)
        .then(async (raw) => {
          if (!raw)
            return callback(smtpError(552, `5.3.4 message larger than ${config.roomMail.maxMessageBytes} bytes`));
          await onMessage(raw, session);
          callback();
        })
        .catch((err: Error) => {
          // Temporal or Postgres unreachable: the sending server keeps the message and tries again.
          log.warn({ err: err.message }, 'inbound message not handled');
          callback(smtpError(451, '4.3.0 temporarily unavailable, try again later'));
        });
    },
  });
}

/** Listens on MAIL_INBOUND_PORT (0: a free port); answers the port it got. */
export async function listenInboundMail(server: SMTPServer, port: number, host = '0.0.0.0'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // smtp-server keeps listening after a client's error; log it rather than crash.
  server.on('error', () => undefined);
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  return address.port;
}
