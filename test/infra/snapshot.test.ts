import { synthTemplates } from '../fixtures/app';

/** Asset hashes change with every dependency bump; the snapshot is about the resources. */
function normalised(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '[ASSET_HASH]'));
}

describe.each([
  ['dev', {}],
  ['prod', { stage: 'prod' }],
])('snapshot of the %s stage', (_stage, raw) => {
  const templates = synthTemplates(raw);

  test.each(Object.entries(templates))('the %s stack', (_stack, template) => {
    expect(normalised(template.toJSON())).toMatchSnapshot();
  });
});
