import { isInsightsMailDelivered, recordInsightsMailDelivery } from '../db/repositories/insights-mail';
import { tryLockMessage } from '../db/repositories/mail-deliveries';
import { listMailAccountsByRole } from '../db/repositories/users';
import { readInsightsReport } from '../insights/report';
import { renderWeeklyInsights } from '../mail/insights-digest';
import type { WeeklyInsightsRequest, WeeklyInsightsResult } from '../shared/insights-messages';
import type { ActivityDeps } from './deps';

const WEEK = 7 * 86_400_000;

export function weeklyInsightsMessageId(weekEnding: string, userId: string): string {
  return `<insights-weekly.${Date.parse(weekEnding)}.${userId}@roombook>`;
}

export function createInsightsActivities(deps: Pick<ActivityDeps, 'dataSource' | 'mailer' | 'config'>) {
  const { dataSource: db, mailer, config } = deps;
  return {
    /**
     * The past week's figures to every facility manager (admins when there is none), once per
     * (week, recipient): the Message-ID's advisory lock and delivery record, as for booking mail.
     */
    async sendWeeklyInsights(request: WeeklyInsightsRequest): Promise<WeeklyInsightsResult> {
      const to = Date.parse(request.weekEnding);
      const report = await readInsightsReport(db, config.insights, { from: to - WEEK, to });
      const message = renderWeeklyInsights(report, request.worstRooms);
      const managers = await listMailAccountsByRole(db, 'facility_manager');
      const readers = managers.length > 0 ? managers : await listMailAccountsByRole(db, 'admin');
      let sent = 0;
      let alreadySent = 0;
      let busy = 0;
      for (const reader of readers) {
        const messageId = weeklyInsightsMessageId(request.weekEnding, reader.id);
        const outcome = await db.transaction(async (tx) => {
          if (!(await tryLockMessage(tx, messageId))) return 'busy' as const;
          if (await isInsightsMailDelivered(tx, messageId)) return 'done' as const;
          await mailer.sendMail({
            from: config.mailFrom,
            to: { name: reader.display_name, address: reader.email },
            subject: message.subject,
            messageId,
            text: message.text,
            html: message.html,
            headers: { 'X-Roombook-Kind': 'insights_weekly', 'Auto-Submitted': 'auto-generated' },
          });
          await recordInsightsMailDelivery(tx, { messageId, recipient: reader.email, weekEnding: request.weekEnding });
          return 'sent' as const;
        });
        if (outcome === 'sent') sent += 1;
        else if (outcome === 'done') alreadySent += 1;
        else busy += 1;
      }
      if (busy > 0) throw new Error(`${busy} insights message(s) are being sent by another attempt; trying again.`);
      return { weekEnding: request.weekEnding, sent, alreadySent };
    },
  };
}

export type InsightsActivities = ReturnType<typeof createInsightsActivities>;
