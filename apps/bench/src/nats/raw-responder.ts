// The responder of the raw JetStream RPC baseline: `node raw-responder.js <url> <stream> <consumer>`.
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const [url = '', stream = '', consumer = ''] = process.argv.slice(2);
const nc = await connect({ servers: url });
const messages = await (await jetstream(nc).consumers.get(stream, consumer)).consume({
  max_messages: 1000,
  callback: (msg) => {
    const replyTo = msg.headers?.get('reply-to');
    if (replyTo) nc.publish(replyTo, msg.data);
    msg.ack();
  },
});
process.send?.('ready');
process.on('disconnect', () => {
  void messages.close().then(() => nc.close()).finally(() => process.exit(0));
});
