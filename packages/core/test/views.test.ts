import { describe, expect, it } from 'vitest';
import { buildRecord, draftFromValueRecord } from '@tributary/core/record';
import { toSeed001View, toSeed003View, pascalCaseItemType } from '@tributary/core/views';
import { isTributaryError } from '@tributary/core/errors';

// The post of seed 001's data flow, and the parsed layout it shows:
// {:unique_identifier=>-3161350398033114604, :core_attributes=>{:language=>"English", :tenant_info=>"customer_id",
//  :source_info=>"DiscoursPost"}, :review_attributes=>{}, :conversation_attributes=>{:sentiment_type=>"positive",
//  :sentiment_score=>7}, :metadata_attributes=>{}, :user_attributes=>{:email=>nil, :feedback_platform_user_id=>79907},
//  :context_info=>{:timestamp=>"2021-01-11T03:24:05.977Z"}}
const seedRecord = () => {
  const r = buildRecord(
    {
      externalId: '872227',
      itemType: 'discourse.post',
      occurredAt: '2021-01-11T03:24:05.977Z',
      author: { platformUserId: 79907, username: 'taher1', email: null },
      content: { text: 'I’ve setup email feedback forwarding as described in the post for SES but I’m not getting bounce notifications in discourse.' },
    },
    { workspaceId: 'customer_id', sourceId: 'src1', connector: { name: 'discourse', version: '1.0.0' } },
  );
  return { ...r, analysis: { sentiment: { label: 'positive' as const, score: 0.7 }, language: { code: 'en', confidence: 0.99 } } };
};

describe('seed 001 view', () => {
  it('renders the parsed layout of seed 001', () => {
    const view = toSeed001View(seedRecord());
    expect(Object.keys(view).sort()).toEqual(['context_info', 'conversation_attributes', 'core_attributes', 'metadata_attributes', 'review_attributes', 'unique_identifier', 'user_attributes']);
    expect(view.unique_identifier).toMatch(/^-?\d{1,19}$/);
    expect(view.core_attributes).toEqual({ language: 'English', tenant_info: 'customer_id', source_info: 'DiscoursePost', source_id: 'src1' });
    expect(view.review_attributes).toEqual({});
    expect(view.conversation_attributes).toEqual({ sentiment_type: 'positive', sentiment_score: 7 });
    expect(view.metadata_attributes).toEqual({});
    expect(view.user_attributes).toEqual({ email: null, feedback_platform_user_id: 79907, username: 'taher1' });
    expect(view.context_info).toEqual({ timestamp: '2021-01-11T03:24:05.977Z' });
  });

  it('is stable: the same record always gets the same unique_identifier', () => {
    expect(toSeed001View(seedRecord()).unique_identifier).toBe(toSeed001View(seedRecord()).unique_identifier);
  });

  it('falls back to the declared language and shows null when there is none', () => {
    const r = { ...seedRecord(), analysis: {} };
    expect(toSeed001View(r).core_attributes.language).toBeNull();
    expect(toSeed001View({ ...r, language: 'fr' }).core_attributes.language).toBe('French');
    expect(toSeed001View(r).conversation_attributes).toEqual({});
  });

  it('names item types in PascalCase', () => {
    expect(pascalCaseItemType('github.issue_comment')).toBe('GithubIssueComment');
  });
});

describe('seed 003 view', () => {
  it('renders exactly the seed 003 record format', () => {
    const input = { recordId: 'r-1', time: '2026-03-01T10:00:00Z', sourceId: 'meter-7', destinationId: 'acct-1', type: 'negative' as const, value: '0.30', unit: 'kWh', reference: 'ref-1' };
    const record = buildRecord(draftFromValueRecord(input), { workspaceId: 'w', sourceId: 's', connector: { name: 'records', version: '1.0.0' } });
    const view = toSeed003View(record);
    expect(Object.keys(view)).toEqual(['recordId', 'time', 'sourceId', 'destinationId', 'type', 'value', 'unit', 'reference']);
    expect(view).toEqual({ ...input, value: '0.3' });
  });

  it('refuses a feedback record', () => {
    try {
      toSeed003View(seedRecord());
      throw new Error('accepted');
    } catch (e) {
      expect(isTributaryError(e, 'validation')).toBe(true);
    }
  });
});
