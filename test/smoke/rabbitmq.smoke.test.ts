import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { uniqueName } from '../support/names.js';

const URL = process.env.SLUICE_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

async function connectOrExplain(): Promise<ChannelModel> {
  try {
    return await connect(URL);
  } catch (e) {
    throw new Error(
      `RabbitMQ is not reachable at ${URL.replace(/\/\/[^@]*@/, '//')} (${(e as Error).message}). ` +
        'Start it (bash .ci/run starts it when installed: rabbitmq-server -detached) or install the Debian package rabbitmq-server.',
      { cause: e },
    );
  }
}

test('smoke: RabbitMQ on 127.0.0.1:5672 takes and delivers messages (amqplib, publisher confirms)', async (t) => {
  const conn = await connectOrExplain();
  const ch = await conn.createConfirmChannel();
  const queue = uniqueName('sluice-smoke');
  t.after(async () => {
    await ch.deleteQueue(queue);
    await conn.close();
  });
  await ch.assertQueue(queue, { durable: false, autoDelete: false });

  const bodies = ['one', 'two', 'three'];
  for (const [i, b] of bodies.entries()) ch.sendToQueue(queue, Buffer.from(b), { messageId: `m-${i}`, contentType: 'text/plain' });
  await ch.waitForConfirms();

  const got: ConsumeMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${bodies.length} messages consumed within 10 s`)), 10_000);
    void ch.consume(queue, (m) => {
      if (!m) return;
      got.push(m);
      ch.ack(m);
      if (got.length === bodies.length) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  assert.deepEqual(got.map((m) => m.content.toString()), bodies);
  assert.deepEqual(got.map((m) => m.properties.messageId), ['m-0', 'm-1', 'm-2']);
  assert.ok(got.every((m) => m.fields.redelivered === false));
});
