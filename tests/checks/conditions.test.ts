import { describe, expect, it } from 'vitest';
import { evaluateConditions, parseCondition, parseConditions, type ResponseFacts } from '../../checks/conditions.js';

const facts: ResponseFacts = {
  status: 200,
  latencyMs: 120,
  headers: { 'content-type': 'application/json', 'x-station': 'Svalbard-1' },
  body: JSON.stringify({ state: 'nominal', uplink: { snrDb: 12.5, locked: true }, antennas: [{ id: 'a1', az: 10 }, { id: 'a2' }], tags: ['s-band', 'x-band'], count: 3, note: null }),
};

function check(...texts: string[]) {
  return evaluateConditions(texts.map(parseCondition), facts);
}

describe('parseCondition', () => {
  it('reads every placeholder, operator and value spelling', () => {
    expect(parseCondition('[STATUS] == 200')).toMatchObject({ subject: { kind: 'status' }, operator: '==', expected: '200', expectedNumber: 200 });
    expect(parseCondition('[RESPONSE_TIME] < 300')).toMatchObject({ subject: { kind: 'responseTime' }, operator: '<', expectedNumber: 300 });
    expect(parseCondition('[RESPONSE_TIME] <= 300ms')).toMatchObject({ operator: '<=', expectedNumber: 300 });
    expect(parseCondition('[BODY] contains nominal')).toMatchObject({ subject: { kind: 'body' }, operator: 'contains', expected: 'nominal' });
    expect(parseCondition('[BODY] !contains "fault code"')).toMatchObject({ operator: '!contains', expected: 'fault code' });
    expect(parseCondition('[BODY].state == nominal')).toMatchObject({ subject: { kind: 'bodyPath', path: ['state'] }, label: '[BODY].state', expected: 'nominal' });
    expect(parseCondition('$.state == "nominal"')).toMatchObject({ subject: { kind: 'bodyPath', path: ['state'] }, label: '$.state', expected: 'nominal' });
    expect(parseCondition('$.antennas[1].id != a1')).toMatchObject({ subject: { kind: 'bodyPath', path: ['antennas', 1, 'id'] }, operator: '!=' });
    expect(parseCondition('$[0] == x')).toMatchObject({ subject: { kind: 'bodyPath', path: [0] } });
    expect(parseCondition('[HEADER].Content-Type == application/json')).toMatchObject({ subject: { kind: 'header', name: 'content-type' } });
    expect(parseCondition("$.note == 'two words'")).toMatchObject({ expected: 'two words' });
    expect(parseCondition('$.quote == "say \\"hi\\""')).toMatchObject({ expected: 'say "hi"' });
    expect(parseCondition('[STATUS]>=200')).toMatchObject({ operator: '>=', expectedNumber: 200 });
    expect(parseCondition('  [status] != 500  ')).toMatchObject({ text: '[status] != 500', operator: '!=' });
    expect(parseCondition('$.uplink.snrDb > -3.5')).toMatchObject({ expectedNumber: -3.5 });
  });

  it.each([
    ['', /empty/],
    ['state == nominal', /must start with \[STATUS\]/],
    ['[FOO] == 1', /unknown placeholder \[FOO\]/],
    ['[STATUS] = 200', /use == to compare/],
    ['[STATUS] 200', /expected an operator/],
    ['[STATUS] ==', /missing a value after ==/],
    ['[STATUS] == ok', /\[STATUS\] compares with a number, got "ok"/],
    ['[STATUS] contains 20', /contains works on \[BODY\]/],
    ['$.temp < warm', /< needs a number on the right/],
    ['$.state == "nominal', /unterminated " quote/],
    ['$. == x', /"\." in a path must be followed by a key/],
    ['$.items[x] == 1', /array index/],
    ['[HEADER] == x', /\[HEADER\] needs a header name/],
    ['[BODY] contains', /missing a value after contains/],
  ])('rejects %j with a helpful message', (text, message) => {
    expect(() => parseCondition(text)).toThrow(message);
  });

  it('names the failing condition in a list', () => {
    expect(() => parseConditions(['[STATUS] == 200', '[STATUS] == ok'])).toThrow(/^condition 2: invalid condition "\[STATUS\] == ok"/);
  });
});

describe('evaluateConditions', () => {
  it('passes when everything holds', () => {
    const result = check(
      '[STATUS] == 200',
      '[RESPONSE_TIME] < 300',
      '[BODY] contains nominal',
      '[BODY] !contains fault',
      '[BODY].state == nominal',
      '$.state == "nominal"',
      '$.uplink.snrDb >= 10',
      '$.uplink.locked == true',
      '$.antennas[0].az == 10',
      '$.antennas[1].id == a2',
      '$.tags contains x-band',
      '$.count == "3"',
      '$.note == null',
      '[HEADER].content-type == application/json',
      '[HEADER].X-STATION contains Svalbard',
      '$.missing != x',
    );
    expect(result).toEqual({ ok: true, failures: [] });
  });

  it('explains each failure', () => {
    const result = check(
      '[STATUS] == 204',
      '[RESPONSE_TIME] < 100',
      '$.state == "degraded"',
      '[BODY].uplink.snrDb > 20',
      '$.antennas[5].id == a6',
      '[HEADER].x-missing == y',
      '[BODY] contains FAULT',
      '[BODY] !contains nominal',
      '$.state != nominal',
      '$.tags contains ka-band',
      '$.state > 3',
    );
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      '[STATUS] is 200, expected 204',
      '[RESPONSE_TIME] is 120 ms, expected < 100 ms',
      '$.state is "nominal", expected "degraded"',
      '[BODY].uplink.snrDb is 12.5, expected > 20',
      '$.antennas[5].id is missing',
      '[HEADER].x-missing is missing',
      '[BODY] does not contain "FAULT"',
      '[BODY] contains "nominal"',
      '$.state is "nominal", expected anything else',
      '$.tags does not contain "ka-band"',
      '$.state is "nominal", not a number',
    ]);
  });

  it('gives the message the watch officer reads for a degraded body', () => {
    const result = evaluateConditions([parseCondition('$.state == "nominal"')], { ...facts, body: '{"state":"degraded"}' });
    expect(result.failures).toEqual(['$.state is "degraded", expected "nominal"']);
  });

  it('fails JSON paths on a body that is not JSON, including a truncated one', () => {
    const result = evaluateConditions([parseCondition('$.state == nominal'), parseCondition('$.state != degraded')], { ...facts, body: '{"state":"nomi' });
    expect(result.failures).toEqual(['$.state: the body is not valid JSON', '$.state: the body is not valid JSON']);
  });

  it('memoises parsed conditions', () => {
    const [first] = parseConditions(['[STATUS] == 200']);
    const [second] = parseConditions(['[STATUS] == 200']);
    expect(second).toBe(first);
  });
});
