import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from '@tributary/connectors/discourse';

describe('discourse htmlToText', () => {
  it.each([
    ['strips inline tags and keeps link text', '<p>See <a href="/t/x/1">the <strong>guide</strong></a> and <em>@sam</em></p>', 'See the guide and @sam'],
    ['keeps paragraph breaks as a blank line', '<p>First paragraph.</p>\n<p>Second\nparagraph.</p>', 'First paragraph.\n\nSecond paragraph.'],
    ['turns <br> into a line break', '<p>line one<br>line two<br/>line three</p>', 'line one\nline two\nline three'],
    ['puts list items on their own lines', '<p>Steps:</p>\n<ol>\n<li>Reply.</li>\n<li>Upload.</li>\n</ol>\n<p>Done.</p>', 'Steps:\n\nReply.\nUpload.\n\nDone.'],
    ['decodes the basic entities', '<p>&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39;</p>', '<b> & "q" \'s\''],
    ['decodes decimal and hex references', '<p>caf&#233; &#x2764; &#X1F600;</p>', 'café ❤ 😀'],
    ['decodes common named entities', '<p>I&rsquo;m &ldquo;fine&rdquo;&hellip; &mdash; ok&nbsp;&nbsp;then &copy;</p>', 'I’m “fine”… — ok then ©'],
    ['decodes only once', '<p>&amp;lt;p&amp;gt;</p>', '&lt;p&gt;'],
    ['leaves unknown entities and bare ampersands alone', '<p>&bogus; AT&T &amp</p>', '&bogus; AT&T &amp'],
    ['replaces invalid code points', '<p>&#0;&#xD800;&#1114112;</p>', '\ufffd\ufffd\ufffd'],
    ['collapses runs of whitespace', '<p>  lots   of \t space\n\n here </p>', 'lots of space here'],
    ['drops images (emoji included)', '<p>Congrats! <img src="/images/emoji/twitter/tada.png?v=5" title=":tada:" class="emoji" alt=":tada:"></p>', 'Congrats!'],
    ['drops scripts, styles and comments with their content', '<p>a<!-- note --></p><script>alert("x")</script><style>p{}</style><p>b</p>', 'a\n\nb'],
    ['copes with > inside attribute values', '<p><a title="a > b" href="/x">link</a> text</p>', 'link text'],
    ['keeps quotes and headings as blocks', '<aside class="quote"><div class="title">sam:</div><blockquote><p>old words</p></blockquote></aside>\n<h2>Title</h2><p>new words</p>', 'sam:\n\nold words\n\nTitle\n\nnew words'],
    ['separates table cells', '<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>', 'a b\n1 2'],
    ['keeps a literal < that is not a tag', '<p>3 &lt; 4 and 5 <3</p>', '3 < 4 and 5 <3'],
    ['returns an empty string for markup without text', '<p><img src="x.png"></p>\n<p>&nbsp;</p>', ''],
  ])('%s', (_, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  it('decodeEntities works on plain text too', () => {
    expect(decodeEntities('Tom &amp; Jerry&#8217;s')).toBe('Tom & Jerry’s');
  });
});
