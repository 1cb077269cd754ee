import fc from 'fast-check';
import { COMMENT_TITLE, type CommentDoc } from '@pool-guard/shared/domain';
import { isPoolGuardComment, renderCommentMarkdown } from '../src/render-comment.js';

/** Reads the markdown back as a person sees it: `**` markers dropped, backslash escapes resolved. */
function plainText(markdown: string): string {
  let out = '';
  for (let i = 0; i < markdown.length; i += 1) {
    const ch = markdown[i]!;
    if (ch === '\\' && i + 1 < markdown.length) {
      out += markdown[i + 1];
      i += 1;
    } else if (ch === '*' && markdown[i + 1] === '*') {
      i += 1;
    } else {
      out += ch;
    }
  }
  return out;
}

describe('renderCommentMarkdown', () => {
  it('renders the title in bold, then paragraphs separated by blank lines, bold spans as **...**', () => {
    const doc: CommentDoc = {
      title: COMMENT_TITLE,
      paragraphs: [
        [{ text: 'Waiting: it does not fit in the pool.', bold: true }, { text: ' It is not counted until there is room for it.' }],
        [{ text: 'Pool for ENG in 2026-Q4: 10 of 10 days used, 0 days free.' }],
        [{ text: 'To fit it, ' }, { text: 'shrink it to 2 days ', bold: true }, { text: 'or plan it for 2027-Q1.' }],
      ],
    };
    expect(renderCommentMarkdown(doc)).toBe(
      '**Custom-work pool**\n\n' +
        '**Waiting: it does not fit in the pool.** It is not counted until there is room for it.\n\n' +
        'Pool for ENG in 2026-Q4: 10 of 10 days used, 0 days free.\n\n' +
        'To fit it, **shrink it to 2 days** or plan it for 2027-Q1.',
    );
  });

  it('escapes markdown in texts and keeps paragraphs from turning into lists or headings', () => {
    const doc: CommentDoc = {
      title: COMMENT_TITLE,
      paragraphs: [[{ text: 'rank_3 *starred* `code`' }], [{ text: '- not a list' }], [{ text: '# not a heading' }], [{ text: '1. not numbered' }]],
    };
    expect(renderCommentMarkdown(doc).split('\n\n').slice(1)).toEqual([
      'rank\\_3 \\*starred\\* \\`code\\`',
      '\\- not a list',
      '\\# not a heading',
      '\\1. not numbered',
    ]);
  });

  it('is recognised as Pool Guard\'s comment, and other comments are not', () => {
    expect(isPoolGuardComment(renderCommentMarkdown({ title: COMMENT_TITLE, paragraphs: [] }))).toBe(true);
    expect(isPoolGuardComment('**Custom-work pool**\n\nanything')).toBe(true);
    expect(isPoolGuardComment('  __Custom-work pool__\nx')).toBe(true);
    expect(isPoolGuardComment('I think the Custom-work pool is full')).toBe(false);
    expect(isPoolGuardComment('**Custom-work pool notes**')).toBe(false);
    expect(isPoolGuardComment('')).toBe(false);
  });

  it('shows every text exactly once, whatever the spans contain (property)', () => {
    const span = fc.record({ text: fc.string({ maxLength: 30 }), bold: fc.boolean() });
    const docArb = fc.record({ title: fc.constant(COMMENT_TITLE), paragraphs: fc.array(fc.array(span, { maxLength: 4 }), { maxLength: 4 }) });
    fc.assert(
      fc.property(docArb, (doc) => {
        const markdown = renderCommentMarkdown(doc);
        expect(isPoolGuardComment(markdown)).toBe(true);
        const expected = [
          COMMENT_TITLE,
          ...doc.paragraphs
            .map((spans) => spans.map((s) => s.text.replace(/\s*\n\s*/g, ' ')).join('').trim())
            .filter((p) => p.length > 0),
        ];
        expect(markdown.split('\n\n').map(plainText)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
