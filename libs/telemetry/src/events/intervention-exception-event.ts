import { describeException, type ExceptionDescription } from '../describe-exception.js';
import { BaseEngineEvent } from './base-engine-event.js';

/** Which intervention method failed. */
export type InterventionStage = 'send' | 'publish' | 'response';

/** Fields of an {@link InterventionExceptionEvent}. */
export interface InterventionExceptionEventFields {
  readonly payload: string;
  readonly stage: InterventionStage;
  /** The intervention handler's class name. */
  readonly handler: string;
  /** Whatever was thrown, as thrown. */
  readonly exception: unknown;
}

/** JSON form of an {@link InterventionExceptionEvent}. */
export interface InterventionExceptionEventJson {
  readonly type: 'InterventionException';
  readonly payload: string;
  readonly stage: InterventionStage;
  readonly handler: string;
  readonly exception: ExceptionDescription;
}

/**
 * An intervention handler threw (or rejected). For a publish this is the only trace of the
 * failure: no agent handled the message, so no handler exception names one.
 */
export class InterventionExceptionEvent
  extends BaseEngineEvent<InterventionExceptionEventFields, InterventionExceptionEventJson>
  implements InterventionExceptionEventFields
{
  declare readonly payload: string;
  declare readonly stage: InterventionStage;
  declare readonly handler: string;
  declare readonly exception: unknown;

  toJSON(): InterventionExceptionEventJson {
    return {
      type: 'InterventionException',
      payload: this.payload,
      stage: this.stage,
      handler: this.handler,
      exception: describeException(this.exception),
    };
  }
}
