import { status as grpcStatus } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { ServiceError as GrpcServiceError } from '@grpc/grpc-js';
// The SDK's own reader of a gRPC status's details (not re-exported from the package's index).
import { getGrpcStatusDetails, trimGrpcTypeUrl } from '@temporalio/client/lib/helpers';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AppError, conflict, policyViolation, unavailable } from '../domain/errors';
import { FailureTypes } from '../shared/booking-messages';

/**
 * Temporal's answers, read in one place: which failure a workflow or update sent, whether the
 * workflow is closed, whether the server asks us to come back, and the AppError each becomes.
 * Everything here reads the SDK's error classes, gRPC status codes, the status details the server
 * attaches and ApplicationFailure.type; one server answer carries nothing but its message (see
 * updateAborted).
 */

const WORKFLOW_NOT_READY = 'temporal.api.errordetails.v1.WorkflowNotReadyFailure';
const MULTI_OPERATION_FAILURE = 'temporal.api.errordetails.v1.MultiOperationExecutionFailure';
/** The server's failure type for an update its workflow closed under after accepting it. */
const ACCEPTED_UPDATE_COMPLETED_WORKFLOW = 'AcceptedUpdateCompletedWorkflow';
/** The message of the server's AbortedByServerErr (service/history/workflow/update/errors_failures.go). */
const UPDATE_ABORTED_BY_SERVER = 'workflow update was aborted';

/** The gRPC answer inside an SDK error (ServiceError and the update errors carry it as their cause). */
export function grpcErrorOf(err: unknown): GrpcServiceError | undefined {
  let cause: unknown = err;
  for (let depth = 0; depth < 5 && cause; depth += 1) {
    if (isGrpcServiceError(cause)) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The ApplicationFailure a workflow, update or activity failed with, however deep the SDK wrapped it. */
export function failureOf(err: unknown): ApplicationFailure | undefined {
  let cause: unknown = err;
  for (let depth = 0; depth < 5 && cause; depth += 1) {
    if (cause instanceof ApplicationFailure) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

export const failureType = (err: unknown): string | undefined => failureOf(err)?.type ?? undefined;

/**
 * The types of the details the server attached to its status. An update-with-start's status is a
 * MultiOperationExecutionFailure whose per-operation statuses carry the real details: those count too.
 */
function detailTypes(grpc: GrpcServiceError): string[] {
  const types: string[] = [];
  for (const detail of getGrpcStatusDetails(grpc) ?? []) {
    const type = trimGrpcTypeUrl(detail.type_url ?? undefined);
    types.push(type);
    if (type !== MULTI_OPERATION_FAILURE || !detail.value) continue;
    const { statuses } = temporal.api.errordetails.v1.MultiOperationExecutionFailure.decode(detail.value);
    for (const status of statuses)
      for (const d of status.details ?? []) types.push(trimGrpcTypeUrl(d.type_url ?? undefined));
  }
  return types;
}

/**
 * The update reached the slot's workflow just as it closed (its booking stopped occupying the
 * slot), and asking again will meet the closed workflow's own answer. For an update-with-start the
 * server says so with ABORTED (it turns its "aborted by closing workflow" NOT_FOUND into ABORTED to
 * make it retryable). The other case, the server clearing its update registry, is a plain
 * UNAVAILABLE whose only mark is its message: the server attaches no details, and matching every
 * UNAVAILABLE would retry a Temporal outage too, so this is the one message comparison kept.
 */
export function updateAborted(err: unknown): boolean {
  const grpc = grpcErrorOf(err);
  if (!grpc) return false;
  if (grpc.code === grpcStatus.ABORTED) return true;
  return grpc.code === grpcStatus.UNAVAILABLE && grpc.details === UPDATE_ABORTED_BY_SERVER;
}

/**
 * Temporal's "not now": the per-workflow limit of in-flight updates (RESOURCE_EXHAUSTED), or the
 * workflow's task failed and is being retried (FAILED_PRECONDITION with a WorkflowNotReadyFailure
 * detail), as happens on a machine too busy to finish a task in time.
 */
export function temporalBusy(err: unknown): boolean {
  const grpc = grpcErrorOf(err);
  if (!grpc) return false;
  if (grpc.code === grpcStatus.RESOURCE_EXHAUSTED) return true;
  return grpc.code === grpcStatus.FAILED_PRECONDITION && detailTypes(grpc).includes(WORKFLOW_NOT_READY);
}

/** No such workflow run (never started, closed, or gone with retention): the SDK's class or the bare NOT_FOUND. */
export function workflowGone(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || grpcErrorOf(err)?.code === grpcStatus.NOT_FOUND;
}

/** A start met a workflow with that id already (the SDK wraps it once for update-with-start). */
export function workflowAlreadyStarted(err: unknown): boolean {
  return (
    err instanceof WorkflowExecutionAlreadyStartedError ||
    (err as { cause?: unknown } | undefined)?.cause instanceof WorkflowExecutionAlreadyStartedError
  );
}

/** The workflow is closed: gone, past accepting updates (FAILED_PRECONDITION that is not "busy"), or closed under an accepted update. */
export function closedWorkflow(err: unknown): boolean {
  if (workflowGone(err)) return true;
  if (failureType(err) === ACCEPTED_UPDATE_COMPLETED_WORKFLOW) return true;
  if (temporalBusy(err)) return false;
  return grpcErrorOf(err)?.code === grpcStatus.FAILED_PRECONDITION;
}

const UNREACHABLE_CODES: readonly number[] = [
  grpcStatus.UNAVAILABLE,
  grpcStatus.DEADLINE_EXCEEDED,
  grpcStatus.RESOURCE_EXHAUSTED,
];

/** Temporal's answers, mapped once: domain refusals to 4xx, an unreachable or busy server to 503. */
export function toAppError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const failure = failureOf(err);
  if (err instanceof WorkflowUpdateFailedError || failure) {
    const details: unknown = failure?.details?.[0];
    switch (failure?.type) {
      case FailureTypes.slotConflict:
        return conflict('SLOT_CONFLICT', failure.message, details);
      case FailureTypes.policyViolation:
        return policyViolation(failure.message, details);
      case FailureTypes.invalidState:
        return conflict('INVALID_STATE', failure.message, details);
      case FailureTypes.slotClosing:
        return conflict('SLOT_CONFLICT', 'The previous booking of this slot is still closing; try again in a moment.');
      case FailureTypes.roomUnavailable:
        return new AppError(422, 'ROOM_UNAVAILABLE', failure.message, details);
    }
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
    return unavailable(
      'temporal',
      'The booking service did not answer in time; try again (with the same Idempotency-Key when creating).',
    );
  if (temporalBusy(err))
    return unavailable(
      'temporal',
      'The booking service is busy; try again shortly (with the same Idempotency-Key when creating).',
    );
  const grpc = grpcErrorOf(err);
  if (grpc && UNREACHABLE_CODES.includes(grpc.code))
    return unavailable('temporal', 'The booking service (Temporal) is unreachable; try again shortly.');
  // A ServiceError without a gRPC answer in it never reached the server (no connection, or none in time).
  if (err instanceof ServiceError && !grpc) return unavailable('temporal');
  return err;
}
