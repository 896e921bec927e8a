import type { AgentId } from '@agentopera/types';
import { describeException, type ExceptionDescription } from '../describe-exception.js';
import { BaseEngineEvent } from './base-engine-event.js';

/** Fields of a {@link MessageHandlerExceptionEvent}. */
export interface MessageHandlerExceptionEventFields {
  readonly payload: string;
  readonly handlingAgent: AgentId;
  /** Whatever was thrown, as thrown. */
  readonly exception: unknown;
}

/** JSON form of a {@link MessageHandlerExceptionEvent}. */
export interface MessageHandlerExceptionEventJson {
  readonly type: 'MessageHandlerException';
  readonly payload: string;
  readonly handlingAgent: string;
  readonly exception: ExceptionDescription;
}

/** An agent's message handler threw (or rejected) while handling a message. */
export class MessageHandlerExceptionEvent
  extends BaseEngineEvent<MessageHandlerExceptionEventFields, MessageHandlerExceptionEventJson>
  implements MessageHandlerExceptionEventFields
{
  declare readonly payload: string;
  declare readonly handlingAgent: AgentId;
  declare readonly exception: unknown;

  toJSON(): MessageHandlerExceptionEventJson {
    return {
      type: 'MessageHandlerException',
      payload: this.payload,
      handlingAgent: this.handlingAgent.toString(),
      exception: describeException(this.exception),
    };
  }
}
