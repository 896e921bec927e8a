/** Whether a message event was logged as the message left its sender or as it reached its receiver. */
export enum DeliveryStage {
  SEND = 'send',
  DELIVER = 'deliver',
}
