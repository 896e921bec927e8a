/**
 * W3C trace context carried in a message envelope, so the span that handles a message can be a
 * child of the span that sent it. Both fields use the W3C header formats.
 */
export interface EnvelopeMetadata {
  readonly traceparent?: string;
  readonly tracestate?: string;
}
