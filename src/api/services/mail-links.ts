import { recordOptOut } from '../../db/repositories/mail-deliveries';
import { AppError } from '../../domain/errors';
import { findUserByEmail, findUserById, updateProfile } from '../../db/repositories/users';
import { verifyApprovalToken, verifyUnsubscribeToken, type UnsubscribeClaim } from '../../mail/tokens';
import type { AppDeps } from '../deps';
import type { BookingService } from './booking-service';

type MailLinkDeps = Pick<AppDeps, 'config' | 'dataSource'>;

const invalidLink = () => new AppError(400, 'INVALID_LINK', 'This link is invalid or has expired.');

/**
 * What the links in mail do: they work without signing in because the link itself is a signed
 * token, so every method starts by checking it.
 */
export class MailLinkService {
  constructor(
    private readonly deps: MailLinkDeps,
    private readonly bookings: BookingService,
  ) {}

  unsubscribeClaim(token: string): UnsubscribeClaim {
    const claim = verifyUnsubscribeToken(this.deps.config.jwtSecret, token);
    if (!claim) throw invalidLink();
    return claim;
  }

  /** Turns the token's kind of mail off; `accountOwned` says whether a verified account holds the address. */
  async unsubscribe(token: string): Promise<{ claim: UnsubscribeClaim; accountOwned: boolean }> {
    const claim = this.unsubscribeClaim(token);
    const { dataSource } = this.deps;
    const user = await findUserByEmail(dataSource, claim.email);
    // An account that has not proven this address is not its owner: the address opts out as a guest.
    const accountOwned = user?.email_verified === true;
    if (user && accountOwned)
      await updateProfile(dataSource, user.id, { notificationPrefs: { [claim.preference]: false } });
    else await recordOptOut(dataSource, claim.email, claim.preference);
    return { claim, accountOwned };
  }

  /** The booking an approval link names, as the manager it was sent to sees it. */
  async approvalRequest(token: string) {
    const { claim, principal } = await this.approver(token);
    return this.bookings.get(principal, claim.bookingId);
  }

  /** The link is checked before the decision, so a bad link answers INVALID_LINK whatever else is wrong. */
  async decide(token: string, decision: 'approve' | 'reject' | undefined, reason: string | undefined) {
    const { claim, principal } = await this.approver(token);
    if (!decision)
      throw new AppError(400, 'VALIDATION_FAILED', 'Say decision=approve or decision=reject.', {
        fields: [{ in: 'query', field: 'decision', message: 'required' }],
      });
    return this.bookings.act(principal, claim.bookingId, decision, { reason });
  }

  /** The manager the link was sent to, as a principal, if they are still staff. */
  private async approver(token: string) {
    const claim = verifyApprovalToken(this.deps.config.jwtSecret, token);
    if (!claim) throw invalidLink();
    const user = await findUserById(this.deps.dataSource, claim.userId);
    if (!user || (user.role !== 'facility_manager' && user.role !== 'admin'))
      throw new AppError(403, 'FORBIDDEN', 'Approvals need a facility manager or an admin.');
    if (!user.email_verified)
      throw new AppError(403, 'EMAIL_NOT_VERIFIED', 'Verify your email address before acting on links sent to it.');
    return { claim, principal: { kind: 'user' as const, userId: user.id, role: user.role } };
  }
}
