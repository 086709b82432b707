import { Metadata, status } from '@grpc/grpc-js';
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { rethrowKnownErrorTypes } from '@temporalio/client/lib/helpers';
import { ApplicationFailure } from '@temporalio/common';
import { google, temporal } from '@temporalio/proto';
import { AppError } from '../../src/domain/errors';
import {
  closedWorkflow,
  temporalBusy,
  toAppError,
  updateAborted,
  workflowAlreadyStarted,
  workflowGone,
} from '../../src/infra/temporal-errors';
import { FailureTypes } from '../../src/shared/booking-messages';

// The errors below are built the way the server and the SDK build them: a gRPC status with the
// server's details in grpc-status-details-bin, wrapped by the SDK's own helpers.

const TYPE_PREFIX = 'type.googleapis.com/';
const WORKFLOW_NOT_READY = 'temporal.api.errordetails.v1.WorkflowNotReadyFailure';

interface Detail {
  type: string;
  value?: Uint8Array;
}

function grpcError(code: status, message: string, details: Detail[] = []) {
  const metadata = new Metadata();
  if (details.length > 0) {
    const encoded = google.rpc.Status.encode({
      code,
      message,
      details: details.map((d) => ({ type_url: TYPE_PREFIX + d.type, value: d.value ?? new Uint8Array() })),
    }).finish();
    metadata.set('grpc-status-details-bin', Buffer.from(encoded));
  }
  return Object.assign(new Error(`${code} ${status[code]}: ${message}`), { code, details: message, metadata });
}

/** What the SDK throws for a failed gRPC call (WorkflowClient.rethrowGrpcError, minus NOT_FOUND). */
function asThrownBySdk(err: ReturnType<typeof grpcError>): unknown {
  try {
    rethrowKnownErrorTypes(err);
  } catch (rethrown) {
    return new ServiceError('Update-With-Start failed', { cause: rethrown as Error });
  }
  return new ServiceError('Workflow Update failed', { cause: err });
}

/** An update-with-start's answer: one status per operation, the start's marked aborted because of the update's. */
function multiOperation(updateCode: status, updateMessage: string, updateDetails: Detail[] = []) {
  const value = temporal.api.errordetails.v1.MultiOperationExecutionFailure.encode({
    statuses: [
      {
        code: status.ABORTED,
        message: 'Operation was aborted.',
        details: [
          { type_url: `${TYPE_PREFIX}temporal.api.failure.v1.MultiOperationExecutionAborted`, value: new Uint8Array() },
        ],
      },
      {
        code: updateCode,
        message: updateMessage,
        details: updateDetails.map((d) => ({ type_url: TYPE_PREFIX + d.type, value: d.value ?? new Uint8Array() })),
      },
    ],
  }).finish();
  return grpcError(status.ABORTED, 'Update-with-Start could not be executed.', [
    { type: 'temporal.api.errordetails.v1.MultiOperationExecutionFailure', value },
  ]);
}

describe('Temporal errors, read from codes, details and failure types', () => {
  test('when a workflow task is in a failed state (WorkflowNotReady), then Temporal is busy, not closed', () => {
    const err = asThrownBySdk(
      grpcError(
        status.FAILED_PRECONDITION,
        'Unable to perform workflow execution update due to Workflow Task in failed state.',
        [{ type: WORKFLOW_NOT_READY }],
      ),
    );
    expect(temporalBusy(err)).toBe(true);
    expect(closedWorkflow(err)).toBe(false);
    expect(toAppError(err)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  test('when an update-with-start meets a failed workflow task, then the detail inside the multi-operation answer says busy', () => {
    const err = asThrownBySdk(
      multiOperation(status.FAILED_PRECONDITION, 'Workflow Task in failed state.', [{ type: WORKFLOW_NOT_READY }]),
    );
    expect(temporalBusy(err)).toBe(true);
  });

  test('when a FAILED_PRECONDITION carries no WorkflowNotReady detail, then the workflow counts as closed', () => {
    const err = asThrownBySdk(grpcError(status.FAILED_PRECONDITION, 'Workflow Task in failed state'));
    expect(temporalBusy(err)).toBe(false);
    expect(closedWorkflow(err)).toBe(true);
  });

  test('when the per-workflow update limit is hit (RESOURCE_EXHAUSTED), then busy and 503', () => {
    const err = asThrownBySdk(grpcError(status.RESOURCE_EXHAUSTED, 'too many outstanding updates'));
    expect(temporalBusy(err)).toBe(true);
    expect(toAppError(err)).toMatchObject({ status: 503 });
  });

  test('when an update-with-start was aborted by the closing workflow (ABORTED), then it is to be asked again', () => {
    const err = asThrownBySdk(multiOperation(status.ABORTED, 'workflow update was aborted by closing workflow'));
    expect(updateAborted(err)).toBe(true);
  });

  test('when the server cleared its update registry (UNAVAILABLE "workflow update was aborted"), then ask again; any other UNAVAILABLE is an outage', () => {
    expect(updateAborted(asThrownBySdk(grpcError(status.UNAVAILABLE, 'workflow update was aborted')))).toBe(true);
    const outage = asThrownBySdk(grpcError(status.UNAVAILABLE, 'No connection established'));
    expect(updateAborted(outage)).toBe(false);
    expect(toAppError(outage)).toMatchObject({ status: 503, details: { dependency: 'temporal' } });
  });

  test('when the workflow is gone (WorkflowNotFoundError or a bare NOT_FOUND), then it is closed', () => {
    const notFound = new WorkflowNotFoundError('workflow execution already completed', 'wf', undefined);
    expect(workflowGone(notFound)).toBe(true);
    expect(closedWorkflow(notFound)).toBe(true);
    const bare = asThrownBySdk(grpcError(status.NOT_FOUND, 'workflow execution already completed'));
    expect(workflowGone(bare)).toBe(true);
    expect(closedWorkflow(bare)).toBe(true);
  });

  test('when the workflow closed under an accepted update, then it is closed', () => {
    const err = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({ type: 'AcceptedUpdateCompletedWorkflow', message: 'completed first' }),
    );
    expect(closedWorkflow(err)).toBe(true);
  });

  test('when an update is refused with a booking failure type, then it maps to its 4xx with the details', () => {
    const refused = (type: string) =>
      new WorkflowUpdateFailedError(
        'Workflow Update failed',
        ApplicationFailure.create({ type, message: 'no', details: [{ rule: 'x' }] }),
      );
    expect(toAppError(refused(FailureTypes.slotConflict))).toMatchObject({
      status: 409,
      code: 'SLOT_CONFLICT',
      details: { rule: 'x' },
    });
    expect(toAppError(refused(FailureTypes.policyViolation))).toMatchObject({ status: 422, code: 'POLICY_VIOLATION' });
    expect(toAppError(refused(FailureTypes.invalidState))).toMatchObject({ status: 409, code: 'INVALID_STATE' });
    expect(toAppError(refused(FailureTypes.slotClosing))).toMatchObject({ status: 409, code: 'SLOT_CONFLICT' });
  });

  test('when the SDK could not reach the server at all (a ServiceError without a gRPC answer), then 503', () => {
    expect(toAppError(new ServiceError('Failed to connect before the deadline'))).toMatchObject({ status: 503 });
  });

  test('when the error is not Temporal’s, then it passes through unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(toAppError(bug)).toBe(bug);
    const known = new AppError(404, 'NOT_FOUND', 'No such booking.');
    expect(toAppError(known)).toBe(known);
    expect(workflowAlreadyStarted(bug)).toBe(false);
  });
});
