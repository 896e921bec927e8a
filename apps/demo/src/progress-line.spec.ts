import { describe, expect, it } from 'vitest';
import { ProgressLine } from './progress-line.js';
import { captureSink } from './test-utils/fixture.js';

function lineOver(values: string[], isTTY: boolean) {
  const sink = captureSink(isTTY);
  let index = 0;
  const line = new ProgressLine(sink, () => values[Math.min(index++, values.length - 1)]);
  return { sink, line };
}

describe('ProgressLine', () => {
  it('redraws in place with \\r on a terminal and erases itself when stopped', () => {
    const { sink, line } = lineOver(['1 done', '2 done'], true);
    line.update();
    line.update();
    line.stop();
    expect(sink.text()).toBe('\r\x1b[2K1 done\r\x1b[2K2 done\r\x1b[2K');
  });

  it('writes plain lines elsewhere, only when the text changed, and nothing on stop', () => {
    const { sink, line } = lineOver(['1 done', '1 done', '2 done'], false);
    line.update();
    line.update();
    line.update();
    line.stop();
    expect(sink.text()).toBe('1 done\n2 done\n');
  });
});
