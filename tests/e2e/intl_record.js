// intl_record.js -- writes tests/e2e/intl_cases.json: ECMA-402 cases with
// the answers of the Node that runs this script (Node 24, ICU 77+/CLDR 47+).
// The committed file is what tests/e2e/test_intl.py checks codeworker
// against; Node is not needed to run the tests, only to re-record them:
//
//   node tests/e2e/intl_record.js > tests/e2e/intl_cases.json
'use strict';
const LOCALES = ['en-US', 'en-GB', 'en-IN', 'de-DE', 'fr-FR', 'es-ES', 'pt-BR', 'it-IT', 'nl-NL', 'sv-SE', 'pl-PL', 'tr-TR',
  'ru-RU', 'ar-EG', 'he-IL', 'hi-IN', 'ja-JP', 'zh-CN', 'ko-KR'];
const CURRENCY = { 'en-US': 'USD', 'en-GB': 'GBP', 'en-IN': 'INR', 'de-DE': 'EUR', 'fr-FR': 'EUR', 'es-ES': 'EUR', 'pt-BR': 'BRL',
  'it-IT': 'EUR', 'nl-NL': 'EUR', 'sv-SE': 'SEK', 'pl-PL': 'PLN', 'tr-TR': 'TRY', 'ru-RU': 'RUB', 'ar-EG': 'EGP', 'he-IL': 'ILS',
  'hi-IN': 'INR', 'ja-JP': 'JPY', 'zh-CN': 'CNY', 'ko-KR': 'KRW' };
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'];
// Instants on both sides of the 2024 DST changes of New York (Mar 10, Nov 3),
// Berlin (Mar 31, Oct 27) and Sydney (Apr 7, Oct 6), plus ordinary ones.
const INSTANTS = [
  Date.UTC(2024, 2, 10, 6, 59), Date.UTC(2024, 2, 10, 7, 1), Date.UTC(2024, 10, 3, 5, 30), Date.UTC(2024, 10, 3, 6, 30),
  Date.UTC(2024, 2, 31, 0, 59), Date.UTC(2024, 2, 31, 1, 1), Date.UTC(2024, 9, 27, 0, 30), Date.UTC(2024, 9, 27, 1, 30),
  Date.UTC(2024, 3, 6, 15, 59), Date.UTC(2024, 3, 6, 16, 1), Date.UTC(2024, 9, 5, 15, 59), Date.UTC(2024, 9, 5, 16, 1),
  Date.UTC(2024, 0, 15, 10, 30, 45, 123), Date.UTC(1999, 11, 31, 23, 59, 59), Date.UTC(2024, 6, 4, 0, 0)];

const cases = [];
function add(family, name, expr) { cases.push({ family, name, expr }); }
const J = JSON.stringify;

// ---- NumberFormat ----
const NUMS = [1234567.891, -0.5, 0, 1e21, 0.000123];
const NF_OPTS = [
  {}, { style: 'percent' }, { maximumFractionDigits: 0 }, { minimumFractionDigits: 2 }, { maximumSignificantDigits: 3 },
  { notation: 'compact' }, { notation: 'compact', compactDisplay: 'long' }, { notation: 'scientific' }, { notation: 'engineering' },
  { signDisplay: 'always' }, { signDisplay: 'exceptZero' }, { useGrouping: false }, { style: 'unit', unit: 'kilometer-per-hour' },
  { style: 'unit', unit: 'liter', unitDisplay: 'long' }, { style: 'unit', unit: 'megabyte', unitDisplay: 'narrow' },
  { minimumIntegerDigits: 3 }];
for (const l of LOCALES) {
  for (const o of NF_OPTS) add('NumberFormat', `${l} ${J(o)}`, `[${NUMS.join(',')}].map(x => new Intl.NumberFormat(${J(l)}, ${J(o)}).format(x))`);
  for (const cd of ['symbol', 'code', 'name', 'narrowSymbol'])
    add('NumberFormat/currency', `${l} ${CURRENCY[l]} ${cd}`, `[1234.5, -42, 0.005].map(x => new Intl.NumberFormat(${J(l)}, {style: 'currency', currency: ${J(CURRENCY[l])}, currencyDisplay: ${J(cd)}}).format(x))`);
  add('NumberFormat/currency', `${l} USD accounting`, `new Intl.NumberFormat(${J(l)}, {style: 'currency', currency: 'USD', currencySign: 'accounting'}).format(-1234.5)`);
  add('NumberFormat/toLocaleString', `${l} toLocaleString`, `(9876543.21).toLocaleString(${J(l)})`);
  add('NumberFormat/formatToParts', `${l} parts`, `new Intl.NumberFormat(${J(l)}, {style: 'currency', currency: 'EUR'}).formatToParts(-1234567.891)`);
  add('NumberFormat/resolvedOptions', `${l} resolved`, `new Intl.NumberFormat(${J(l)}, {style: 'currency', currency: ${J(CURRENCY[l])}}).resolvedOptions()`);
  add('NumberFormat/formatRange', `${l} range`, `new Intl.NumberFormat(${J(l)}, {style: 'currency', currency: 'EUR', maximumFractionDigits: 0}).formatRange(3, 5)`);
}
for (const m of ['ceil', 'floor', 'expand', 'trunc', 'halfCeil', 'halfFloor', 'halfExpand', 'halfTrunc', 'halfEven'])
  add('NumberFormat/roundingMode', m, `[1.25, -1.25, 1.35, 2.5, -2.5].map(x => new Intl.NumberFormat('en-US', {maximumFractionDigits: 1, roundingMode: ${J(m)}}).format(x))`);
add('NumberFormat/rounding', 'halfExpand on decimal', `[1.005, 2.675, 1.45, 0.125].map(x => x.toLocaleString('en-US', {maximumFractionDigits: 2}))`);
add('NumberFormat/rounding', 'roundingIncrement', `new Intl.NumberFormat('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2, roundingIncrement: 5}).format(1.234)`);
add('NumberFormat/rounding', 'roundingPriority', `[new Intl.NumberFormat('en', {maximumFractionDigits: 2, maximumSignificantDigits: 2, roundingPriority: 'lessPrecision'}).format(1.234), new Intl.NumberFormat('en', {maximumFractionDigits: 2, maximumSignificantDigits: 2, roundingPriority: 'morePrecision'}).format(1.234)]`);
add('NumberFormat/rounding', 'trailingZeroDisplay', `[1, 1.5].map(x => new Intl.NumberFormat('en', {minimumFractionDigits: 2, trailingZeroDisplay: 'stripIfInteger'}).format(x))`);
add('NumberFormat/special', 'NaN Infinity -0', `[NaN, Infinity, -Infinity, -0].map(x => new Intl.NumberFormat('de-DE').format(x))`);
add('NumberFormat/special', 'string input', `new Intl.NumberFormat('en').format('12345678901234567890.123')`);
add('NumberFormat/special', 'useGrouping min2', `[1234, 12345].map(x => new Intl.NumberFormat('es-ES', {useGrouping: 'min2'}).format(x))`);
add('NumberFormat/special', 'es default grouping', `[1234, 12345].map(x => x.toLocaleString('es-ES'))`);
add('NumberFormat/special', 'nu extension', `new Intl.NumberFormat('ar-EG-u-nu-latn').format(1234.5)`);
add('NumberFormat/special', 'numberingSystem option', `new Intl.NumberFormat('en', {numberingSystem: 'arab'}).format(1234.5)`);
add('NumberFormat/special', 'default locale', `[new Intl.NumberFormat().format(1234.5), (1234.5).toLocaleString(), new Intl.NumberFormat().resolvedOptions().locale]`);
add('NumberFormat/special', 'unit percent', `new Intl.NumberFormat('en', {style: 'unit', unit: 'percent'}).format(45)`);
add('NumberFormat/special', 'scientific parts', `new Intl.NumberFormat('en', {notation: 'scientific'}).formatToParts(-0.00123)`);
add('NumberFormat/special', 'compact parts', `new Intl.NumberFormat('en', {notation: 'compact'}).formatToParts(1234567)`);
add('NumberFormat/special', 'unit parts', `new Intl.NumberFormat('en', {style: 'unit', unit: 'kilometer-per-hour'}).formatToParts(50)`);
add('NumberFormat/special', 'range parts', `new Intl.NumberFormat('en', {style: 'currency', currency: 'USD'}).formatRangeToParts(3, 5)`);
add('NumberFormat/special', 'format is bound', `[1, 2, 3].map(new Intl.NumberFormat('de-DE', {minimumFractionDigits: 1}).format)`);
add('NumberFormat/special', 'resolved defaults', `new Intl.NumberFormat('en').resolvedOptions()`);
add('NumberFormat/special', 'resolved compact', `new Intl.NumberFormat('en', {notation: 'compact'}).resolvedOptions()`);
add('NumberFormat/special', 'resolved significant', `new Intl.NumberFormat('en', {maximumSignificantDigits: 3}).resolvedOptions()`);
add('NumberFormat/special', 'array toLocaleString', `[1234.5, new Date(Date.UTC(2024, 0, 15)), null, 'x'].toLocaleString('de-DE', {timeZone: 'UTC'})`);
const NF_ERRORS = [`{style: 'currency'}`, `{style: 'bogus'}`, `{maximumFractionDigits: 200}`, `{minimumFractionDigits: 3, maximumFractionDigits: 1}`,
  `{style: 'currency', currency: 'US'}`, `{style: 'unit', unit: 'parsec'}`, `{style: 'unit'}`, `{roundingIncrement: 3}`, `{signDisplay: 'sometimes'}`,
  `{notation: 'weird'}`, `{useGrouping: 'never'}`, `{minimumIntegerDigits: 0}`, `{maximumSignificantDigits: 0}`];
for (const e of NF_ERRORS) add('NumberFormat/errors', e, `new Intl.NumberFormat('en', ${e}).format(1)`);
add('NumberFormat/errors', 'bad locale', `new Intl.NumberFormat('en_US').format(1)`);
add('NumberFormat/errors', 'bad locale type', `new Intl.NumberFormat([5]).format(1)`);
add('NumberFormat/errors', 'toLocaleString bad locale', `(1).toLocaleString('x-')`);

// ---- DateTimeFormat ----
const DT_OPTS = [{}, { dateStyle: 'full' }, { dateStyle: 'long', timeStyle: 'short' }, { dateStyle: 'medium', timeStyle: 'medium' },
  { dateStyle: 'short', timeStyle: 'long' }, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  { hour: 'numeric', minute: '2-digit' }, { hour: '2-digit', minute: '2-digit', hour12: false }, { month: 'short', day: 'numeric' },
  { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }];
const I3 = [INSTANTS[12], INSTANTS[13], INSTANTS[14]];
for (const l of LOCALES) {
  for (const o of DT_OPTS) add('DateTimeFormat', `${l} ${J(o)}`, `[${I3.join(',')}].map(t => new Intl.DateTimeFormat(${J(l)}, Object.assign({timeZone: 'UTC'}, ${J(o)})).format(t))`);
  add('DateTimeFormat/toLocale', `${l} toLocale*`, `[new Date(${INSTANTS[12]}).toLocaleString(${J(l)}, {timeZone: 'UTC'}), new Date(${INSTANTS[12]}).toLocaleDateString(${J(l)}, {timeZone: 'UTC'}), new Date(${INSTANTS[12]}).toLocaleTimeString(${J(l)}, {timeZone: 'UTC'})]`);
  add('DateTimeFormat/formatToParts', `${l} parts`, `new Intl.DateTimeFormat(${J(l)}, {dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC'}).formatToParts(${INSTANTS[12]})`);
  add('DateTimeFormat/resolvedOptions', `${l} resolved`, `new Intl.DateTimeFormat(${J(l)}, {hour: 'numeric', minute: 'numeric', timeZone: 'Asia/Tokyo'}).resolvedOptions()`);
  add('DateTimeFormat/formatRange', `${l} range`, `new Intl.DateTimeFormat(${J(l)}, {dateStyle: 'medium', timeZone: 'UTC'}).formatRange(${INSTANTS[12]}, ${INSTANTS[14]})`);
}
for (const z of ZONES) {
  for (const l of ['en-US', 'de-DE', 'ja-JP', 'en-GB', 'hi-IN'])
    add('DateTimeFormat/timeZone', `${z} ${l}`, `[${INSTANTS.join(',')}].map(t => new Intl.DateTimeFormat(${J(l)}, {timeZone: ${J(z)}, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short'}).format(t))`);
  add('DateTimeFormat/timeZone', `${z} offsets`, `[${INSTANTS.join(',')}].map(t => new Intl.DateTimeFormat('en-US', {timeZone: ${J(z)}, timeZoneName: 'longOffset', hour: 'numeric'}).format(t))`);
  add('DateTimeFormat/timeZone', `${z} long name`, `[${INSTANTS[0]}, ${INSTANTS[6]}].map(t => new Intl.DateTimeFormat('en-US', {timeZone: ${J(z)}, timeZoneName: 'long'}).format(t))`);
  add('DateTimeFormat/timeZone', `${z} resolved`, `new Intl.DateTimeFormat('en-US', {timeZone: ${J(z)}}).resolvedOptions().timeZone`);
}
for (const hc of ['h11', 'h12', 'h23', 'h24'])
  add('DateTimeFormat/hourCycle', hc, `['en-US', 'de-DE', 'ja-JP'].map(l => new Intl.DateTimeFormat(l, {hour: 'numeric', minute: 'numeric', hourCycle: ${J(hc)}, timeZone: 'UTC'}).format(Date.UTC(2024, 0, 1, 0, 5)))`);
add('DateTimeFormat/hourCycle', 'hour12 true', `['en-US', 'de-DE', 'ja-JP', 'ko-KR'].map(l => new Intl.DateTimeFormat(l, {hour: 'numeric', hour12: true, timeZone: 'UTC'}).resolvedOptions().hourCycle)`);
add('DateTimeFormat/hourCycle', 'hour12 false', `['en-US', 'de-DE', 'ja-JP'].map(l => new Intl.DateTimeFormat(l, {hour: 'numeric', minute: 'numeric', hour12: false, timeZone: 'UTC'}).format(Date.UTC(2024, 0, 1, 0, 5)))`);
add('DateTimeFormat/hourCycle', 'hc extension', `new Intl.DateTimeFormat('en-US-u-hc-h23', {hour: 'numeric', minute: 'numeric', timeZone: 'UTC'}).format(Date.UTC(2024, 0, 1, 13, 5))`);
add('DateTimeFormat/components', 'fractionalSecondDigits', `new Intl.DateTimeFormat('en-US', {minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, timeZone: 'UTC'}).format(${INSTANTS[12]})`);
add('DateTimeFormat/components', 'era', `new Intl.DateTimeFormat('en-US', {year: 'numeric', era: 'short', timeZone: 'UTC'}).format(${INSTANTS[12]})`);
add('DateTimeFormat/components', 'dayPeriod', `new Intl.DateTimeFormat('en-US', {hour: 'numeric', dayPeriod: 'long', timeZone: 'UTC'}).format(${INSTANTS[12]})`);
add('DateTimeFormat/components', 'weekday narrow', `new Intl.DateTimeFormat('en-US', {weekday: 'narrow', timeZone: 'UTC'}).format(${INSTANTS[12]})`);
add('DateTimeFormat/components', 'month narrow', `new Intl.DateTimeFormat('de-DE', {month: 'narrow', timeZone: 'UTC'}).format(${INSTANTS[12]})`);
add('DateTimeFormat/components', 'range same day', `new Intl.DateTimeFormat('en-US', {hour: 'numeric', minute: 'numeric', timeZone: 'UTC'}).formatRange(${INSTANTS[12]}, ${INSTANTS[12] + 3600000})`);
add('DateTimeFormat/components', 'range parts', `new Intl.DateTimeFormat('en-US', {hour: 'numeric', minute: 'numeric', timeZone: 'UTC'}).formatRangeToParts(0, 3600000)`);
add('DateTimeFormat/components', 'toLocaleString default', `new Date(${INSTANTS[12]}).toLocaleString()`);
add('DateTimeFormat/components', 'toLocaleDateString options', `new Date(${INSTANTS[12]}).toLocaleDateString('en-US', {weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC'})`);
add('DateTimeFormat/components', 'toLocaleTimeString options', `new Date(${INSTANTS[12]}).toLocaleTimeString('en-US', {hour: '2-digit', minute: '2-digit', timeZone: 'America/New_York'})`);
add('DateTimeFormat/components', 'invalid date', `new Date(NaN).toLocaleString()`);
add('DateTimeFormat/components', 'calendar japanese', `new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {dateStyle: 'long', timeZone: 'UTC'}).format(${INSTANTS[12]})`);
add('DateTimeFormat/components', 'old date proleptic', `new Intl.DateTimeFormat('en-US', {dateStyle: 'long', timeZone: 'UTC'}).format(Date.UTC(1500, 0, 1))`);
add('DateTimeFormat/components', 'resolved defaults', `new Intl.DateTimeFormat('en-US', {timeZone: 'UTC'}).resolvedOptions()`);
add('DateTimeFormat/components', 'resolved styles', `new Intl.DateTimeFormat('de-DE', {dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin'}).resolvedOptions()`);
add('DateTimeFormat/components', 'format bound', `[${I3.join(',')}].map(new Intl.DateTimeFormat('fr-FR', {timeZone: 'UTC'}).format)`);
const DT_ERRORS = [`{timeZone: 'Mars/Olympus'}`, `{dateStyle: 'short', month: 'long'}`, `{hour: 'sometimes'}`, `{dateStyle: 'tiny'}`,
  `{fractionalSecondDigits: 4}`, `{hourCycle: 'h25'}`];
for (const e of DT_ERRORS) add('DateTimeFormat/errors', e, `new Intl.DateTimeFormat('en', ${e}).format(0)`);
add('DateTimeFormat/errors', 'format NaN', `new Intl.DateTimeFormat('en').format(NaN)`);
add('DateTimeFormat/errors', 'toLocaleTimeString dateStyle', `new Date(0).toLocaleTimeString('en', {dateStyle: 'short'})`);

// ---- Collator / localeCompare ----
const WORDS = ['résumé', 'resume', 'Resume', 'zebra', 'Zürich', 'apple', 'Äpfel', 'item10', 'item9', 'ñandú', 'nube', 'ölçü', 'İstanbul',
  'ısı', 'char', 'chat', 'ćma', 'łódź', 'lody', 'ё', 'е', 'a-b', 'ab', 'a b', '_x', '10', '9', 'Ωmega'];
for (const l of LOCALES) {
  add('Collator', `${l} sort`, `${J(WORDS)}.slice().sort(new Intl.Collator(${J(l)}).compare)`);
  add('Collator/resolvedOptions', `${l} resolved`, `new Intl.Collator(${J(l)}).resolvedOptions()`);
}
for (const s of ['base', 'accent', 'case', 'variant'])
  add('Collator/sensitivity', s, `[['a', 'á'], ['a', 'A'], ['a', 'b'], ['résumé', 'RESUME']].map(p => new Intl.Collator('en', {sensitivity: ${J(s)}}).compare(p[0], p[1]))`);
add('Collator/numeric', 'numeric', `['item10', 'item9', 'item1', 'Item2'].sort(new Intl.Collator('en', {numeric: true}).compare)`);
add('Collator/numeric', 'kn extension', `['10', '9', '1'].sort(new Intl.Collator('en-u-kn').compare)`);
for (const c of ['upper', 'lower', 'false'])
  add('Collator/caseFirst', c, `['a', 'A', 'b', 'B'].sort(new Intl.Collator('en', {caseFirst: ${J(c)}}).compare)`);
add('Collator/ignorePunctuation', 'ignorePunctuation', `new Intl.Collator('en', {ignorePunctuation: true}).compare('a-b', 'ab')`);
add('Collator/localeCompare', 'default', `['b', 'A', 'a', 'B', '_', '1', 'ä'].sort((x, y) => x.localeCompare(y))`);
add('Collator/localeCompare', 'sv vs de', `[['ä', 'z'].sort((x, y) => x.localeCompare(y, 'sv')), ['ä', 'z'].sort((x, y) => x.localeCompare(y, 'de'))]`);
add('Collator/localeCompare', 'options', `['résumé'.localeCompare('resume', 'en', {sensitivity: 'base'}), 'a'.localeCompare('B'), 'a'.localeCompare('a')]`);
add('Collator/localeCompare', 'phonebook', `['Müller', 'Mueller', 'Muller'].sort(new Intl.Collator('de-u-co-phonebk').compare)`);
add('Collator/localeCompare', 'search usage', `new Intl.Collator('en', {usage: 'search', sensitivity: 'base'}).compare('a', 'á')`);
add('Collator/localeCompare', 'non-BMP', `['😀b', '😀a', 'a'].sort((x, y) => x.localeCompare(y))`);
add('Collator/errors', 'bad sensitivity', `new Intl.Collator('en', {sensitivity: 'some'})`);

// ---- PluralRules ----
for (const l of LOCALES) {
  add('PluralRules', `${l} cardinal`, `[0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 1.5].map(n => new Intl.PluralRules(${J(l)}).select(n))`);
  add('PluralRules', `${l} ordinal`, `[1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(n => new Intl.PluralRules(${J(l)}, {type: 'ordinal'}).select(n))`);
  add('PluralRules/resolvedOptions', `${l} categories`, `[new Intl.PluralRules(${J(l)}).resolvedOptions().pluralCategories, new Intl.PluralRules(${J(l)}, {type: 'ordinal'}).resolvedOptions().pluralCategories]`);
}
add('PluralRules/digits', 'minimumFractionDigits', `[new Intl.PluralRules('en').select(1), new Intl.PluralRules('en', {minimumFractionDigits: 1}).select(1)]`);
add('PluralRules/digits', 'resolved', `new Intl.PluralRules('en').resolvedOptions()`);
add('PluralRules/digits', 'selectRange', `new Intl.PluralRules('en').selectRange(1, 5)`);
add('PluralRules/errors', 'no new', `Intl.PluralRules('en')`);
add('PluralRules/errors', 'bad type', `new Intl.PluralRules('en', {type: 'x'})`);

// ---- RelativeTimeFormat ----
for (const l of LOCALES) {
  add('RelativeTimeFormat', `${l} always`, `[[-1, 'day'], [2, 'hours'], [-3, 'month'], [1, 'year'], [0, 'second'], [-1.5, 'week']].map(a => new Intl.RelativeTimeFormat(${J(l)}).format(a[0], a[1]))`);
  add('RelativeTimeFormat', `${l} auto`, `[[-1, 'day'], [1, 'day'], [0, 'day'], [-1, 'week'], [1, 'quarter']].map(a => new Intl.RelativeTimeFormat(${J(l)}, {numeric: 'auto'}).format(a[0], a[1]))`);
  add('RelativeTimeFormat', `${l} short`, `new Intl.RelativeTimeFormat(${J(l)}, {style: 'short'}).format(-5, 'minute')`);
}
add('RelativeTimeFormat/parts', 'parts', `new Intl.RelativeTimeFormat('en').formatToParts(1234.5, 'day')`);
add('RelativeTimeFormat/parts', 'resolved', `new Intl.RelativeTimeFormat('es', {style: 'narrow'}).resolvedOptions()`);
add('RelativeTimeFormat/errors', 'bad unit', `new Intl.RelativeTimeFormat('en').format(1, 'dayz')`);
add('RelativeTimeFormat/errors', 'infinite', `new Intl.RelativeTimeFormat('en').format(Infinity, 'day')`);

// ---- ListFormat ----
for (const l of LOCALES) {
  add('ListFormat', `${l}`, `[['a'], ['a', 'b'], ['a', 'b', 'c']].map(x => new Intl.ListFormat(${J(l)}).format(x))`);
  add('ListFormat', `${l} disjunction`, `new Intl.ListFormat(${J(l)}, {type: 'disjunction'}).format(['a', 'b', 'c'])`);
  add('ListFormat', `${l} unit short`, `new Intl.ListFormat(${J(l)}, {type: 'unit', style: 'short'}).format(['1', '2', '3'])`);
}
add('ListFormat/parts', 'parts', `new Intl.ListFormat('en').formatToParts(['x', 'y', 'z'])`);
add('ListFormat/errors', 'non-string', `new Intl.ListFormat('en').format([1, 2])`);

// ---- DisplayNames ----
for (const l of LOCALES) {
  add('DisplayNames', `${l} language`, `['en', 'de', 'fr-CA', 'zh-Hant', 'ja'].map(c => new Intl.DisplayNames(${J(l)}, {type: 'language'}).of(c))`);
  add('DisplayNames', `${l} region`, `['US', 'DE', 'JP', '419'].map(c => new Intl.DisplayNames(${J(l)}, {type: 'region'}).of(c))`);
  add('DisplayNames', `${l} currency`, `['USD', 'EUR', 'JPY'].map(c => new Intl.DisplayNames(${J(l)}, {type: 'currency'}).of(c))`);
  add('DisplayNames', `${l} script`, `['Latn', 'Cyrl', 'Arab'].map(c => new Intl.DisplayNames(${J(l)}, {type: 'script'}).of(c))`);
}
add('DisplayNames/options', 'fallback none', `[new Intl.DisplayNames('en', {type: 'region', fallback: 'none'}).of('ZZ'), new Intl.DisplayNames('en', {type: 'region'}).of('ZZ')]`);
add('DisplayNames/options', 'dateTimeField', `['year', 'month', 'day', 'hour', 'weekday'].map(c => new Intl.DisplayNames('de', {type: 'dateTimeField'}).of(c))`);
add('DisplayNames/options', 'calendar', `new Intl.DisplayNames('en', {type: 'calendar'}).of('gregory')`);
add('DisplayNames/options', 'languageDisplay standard', `new Intl.DisplayNames('en', {type: 'language', languageDisplay: 'standard'}).of('en-GB')`);
add('DisplayNames/options', 'short', `new Intl.DisplayNames('en', {type: 'region', style: 'short'}).of('US')`);
add('DisplayNames/errors', 'no type', `new Intl.DisplayNames('en', {})`);
add('DisplayNames/errors', 'bad region', `new Intl.DisplayNames('en', {type: 'region'}).of('zz1')`);

// ---- Segmenter ----
const TEXTS = ['Hello, world! How are you?', 'e\u0301👍🏽🇩🇪 ok', '今日は良い天気ですね。明日も晴れるでしょう。', 'Straße 12,5 km. Dr. Müller kommt.'];
for (const g of ['grapheme', 'word', 'sentence'])
  for (let i = 0; i < TEXTS.length; i++)
    add('Segmenter', `${g} ${i}`, `Array.from(new Intl.Segmenter('en', {granularity: ${J(g)}}).segment(${J(TEXTS[i])})).map(s => [s.segment, s.index, s.isWordLike])`);
add('Segmenter', 'ja word', `Array.from(new Intl.Segmenter('ja', {granularity: 'word'}).segment(${J(TEXTS[2])})).map(s => s.segment)`);
add('Segmenter', 'containing', `[0, 5, 8, 100].map(i => { const s = new Intl.Segmenter('en', {granularity: 'word'}).segment('Hello big world').containing(i); return s && [s.segment, s.index]; })`);
add('Segmenter', 'for-of count', `(() => { let n = 0; for (const s of new Intl.Segmenter().segment('👨‍👩‍👧 and 🇫🇷')) n++; return n; })()`);
add('Segmenter', 'resolved', `new Intl.Segmenter('fr', {granularity: 'word'}).resolvedOptions()`);

// ---- Locale and the namespace ----
for (const t of ['en-US', 'zh-Hant-TW', 'sr-Latn', 'de-DE-u-co-phonebk', 'ja-JP-u-ca-japanese-hc-h23', 'en-u-kn-true', 'he'])
  add('Locale', t, `(() => { const l = new Intl.Locale(${J(t)}); return [l.toString(), l.baseName, l.language, l.script, l.region, l.calendar, l.collation, l.hourCycle, l.numeric, l.maximize().toString(), l.minimize().toString()]; })()`);
add('Locale', 'options', `new Intl.Locale('en', {region: 'GB', calendar: 'gregory', hourCycle: 'h12'}).toString()`);
add('Locale/errors', 'bad tag', `new Intl.Locale('en_US')`);
add('getCanonicalLocales', 'case', `Intl.getCanonicalLocales(['EN-us', 'zh-hant-tw', 'DE', 'en-US'])`);
add('getCanonicalLocales', 'errors', `Intl.getCanonicalLocales('en_US')`);
add('supportedLocalesOf', 'list', `[Intl.NumberFormat.supportedLocalesOf(['de-DE', 'tlh', 'fr']), Intl.DateTimeFormat.supportedLocalesOf('ja-JP'), Intl.Collator.supportedLocalesOf(['sv', 'en-GB'])]`);
add('supportedValuesOf', 'currency has', `['USD', 'EUR', 'JPY', 'INR'].map(c => Intl.supportedValuesOf('currency').includes(c))`);
add('supportedValuesOf', 'timeZone has', `['America/New_York', 'Europe/Berlin', 'Asia/Tokyo'].map(c => Intl.supportedValuesOf('timeZone').includes(c))`);
add('supportedValuesOf', 'unit', `Intl.supportedValuesOf('unit')`);
add('supportedValuesOf', 'calendar has', `['gregory', 'japanese', 'islamic'].map(c => Intl.supportedValuesOf('calendar').includes(c))`);
add('supportedValuesOf', 'bad key', `Intl.supportedValuesOf('foo')`);
add('namespace', 'toStringTag', `[Object.prototype.toString.call(Intl), Object.prototype.toString.call(new Intl.NumberFormat()), typeof Intl.NumberFormat.prototype.formatToParts]`);

// ---- the way agents write it: defaults, case-blind zones, offsets, idioms ----
const AGENT = [
 `new Date(Date.UTC(2024,0,15,10,30)).toLocaleDateString('en-US', {timeZone: 'america/new_york'})`,
 `new Intl.DateTimeFormat('en-US', {timeZone: 'america/new_york'}).resolvedOptions().timeZone`,
 `new Intl.DateTimeFormat('en-US', {timeZone: '+05:30', hour: 'numeric', minute: 'numeric'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {timeZone: 'Etc/GMT+5', hour: 'numeric'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {timeZone: 'utc'}).resolvedOptions().timeZone`,
 `new Intl.DateTimeFormat().resolvedOptions()`,
 `new Date(0).toLocaleDateString(undefined, {month: 'long', year: 'numeric'})`,
 `new Date(0).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'})`,
 `new Date(0).toLocaleString('en-US', {hour12: false})`,
 `new Date(0).toLocaleString('en-GB')`,
 `(0.1 + 0.2).toLocaleString()`,
 `(1234.5678).toFixed(2).toLocaleString()`,
 `Number('1234567.891').toLocaleString('en-US', {style: 'currency', currency: 'USD'})`,
 `(1e6).toLocaleString('en-US', {notation: 'compact', compactDisplay: 'short'})`,
 `(-5).toLocaleString('en-US', {style: 'currency', currency: 'USD', currencySign: 'accounting'})`,
 `(0.123).toLocaleString('en-US', {style: 'percent', minimumFractionDigits: 1})`,
 `(42).toLocaleString('en-US', {minimumIntegerDigits: 2})`,
 `(1234.5).toLocaleString('en-US', {maximumFractionDigits: 0})`,
 `(1234.5).toLocaleString('de-CH', {style: 'currency', currency: 'CHF'})`,
 `(1234.5).toLocaleString('fr-CH')`,
 `(1234.5).toLocaleString('en', {style: 'currency', currency: 'usd'})`,
 `new Intl.NumberFormat('en-US', {style: 'unit', unit: 'byte', notation: 'compact', unitDisplay: 'narrow'}).format(1500000)`,
 `new Intl.NumberFormat('en-US', {style: 'unit', unit: 'second', unitDisplay: 'long'}).format(1)`,
 `new Intl.NumberFormat('en-US', {style: 'unit', unit: 'celsius'}).format(21.5)`,
 `[3, 20, 100].sort(new Intl.Collator().compare)`,
 `['Émile', 'eve', 'Zoe', 'adam', 'Ádám'].sort(Intl.Collator('fr').compare)`,
 `['Z', 'a', 'z', 'ä'].sort(new Intl.Collator('de', {caseFirst: 'upper'}).compare)`,
 `['file10.txt', 'file2.txt', 'File1.txt'].sort((a, b) => a.localeCompare(b, undefined, {numeric: true, sensitivity: 'base'}))`,
 `new Intl.PluralRules('en-US', {type: 'ordinal'}).select(103)`,
 `(() => { const pr = new Intl.PluralRules('en', {type: 'ordinal'}); const s = {one: 'st', two: 'nd', few: 'rd', other: 'th'}; return [1, 2, 3, 4, 11, 12, 13, 21, 112].map(n => n + s[pr.select(n)]); })()`,
 `new Intl.RelativeTimeFormat('en', {numeric: 'auto'}).format(-2, 'day')`,
 `new Intl.RelativeTimeFormat(undefined, {style: 'long'}).format(3, 'weeks')`,
 `new Intl.ListFormat('en', {style: 'long', type: 'conjunction'}).format(['Alice', 'Bob', 'Carol'])`,
 `new Intl.DisplayNames(['en'], {type: 'region'}).of('BR')`,
 `new Intl.DisplayNames(['en'], {type: 'language'}).of('pt-BR')`,
 `new Intl.DisplayNames(['en'], {type: 'currency'}).of('JPY')`,
 `[...new Intl.Segmenter('en', {granularity: 'grapheme'}).segment('👨‍👩‍👧‍👦🏳️‍🌈')].length`,
 `[...new Intl.Segmenter('en', {granularity: 'word'}).segment("It's a dog's life, isn't it?")].filter(s => s.isWordLike).length`,
 `new Intl.Locale('en-US').language`,
 `Intl.DateTimeFormat().resolvedOptions().locale`,
 `Intl.NumberFormat().resolvedOptions().locale`,
 `typeof Intl.DateTimeFormat.prototype.formatRange`,
 `new Intl.DateTimeFormat('en-US', {month: 'long', timeZone: 'UTC'}).formatToParts(0)`,
 `Object.keys(new Intl.NumberFormat('en-US', {style: 'currency', currency: 'EUR'}).resolvedOptions())`,
 `new Intl.DateTimeFormat('en-US', {weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'America/Los_Angeles', timeZoneName: 'short'}).format(Date.UTC(2024, 6, 4, 19, 0))`,
 `new Date(Date.UTC(2024, 1, 29)).toLocaleDateString('en-US', {timeZone: 'UTC', weekday: 'long'})`,
 `new Intl.DateTimeFormat('en-CA', {timeZone: 'UTC'}).format(Date.UTC(2024, 0, 5))`,
 `new Intl.DateTimeFormat('sv-SE', {timeZone: 'UTC', dateStyle: 'short', timeStyle: 'medium'}).format(Date.UTC(2024, 0, 5, 13, 4, 5))`,
 `new Date(Date.UTC(2024, 0, 5, 13, 4, 5)).toLocaleString('sv-SE', {timeZone: 'UTC'}).replace(' ', 'T')`,
 `new Intl.DateTimeFormat('en-US', {year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC'}).formatToParts(0).reduce((a, p) => (a[p.type] = p.value, a), {})`,
 `new Intl.NumberFormat('en-US', {maximumSignificantDigits: 3}).format(123456)`,
 `new Intl.NumberFormat('en-IN').format(123456789.123)`,
 `new Intl.NumberFormat('ja-JP', {style: 'currency', currency: 'JPY', currencyDisplay: 'name'}).format(1000)`,
 `new Intl.NumberFormat('en-US', {style: 'currency', currency: 'BTC'}).format(1.5)`,
 `new Intl.NumberFormat('zh-CN', {notation: 'compact'}).format(123456789)`,
 `new Intl.NumberFormat('ko-KR', {notation: 'compact', compactDisplay: 'long'}).format(12345)`,
 `(12345.6789).toLocaleString('ar-EG', {style: 'currency', currency: 'EGP'})`,
 `new Intl.DateTimeFormat('ar-EG', {dateStyle: 'full', timeZone: 'Africa/Cairo'}).format(0)`,
 `new Intl.DateTimeFormat('he-IL', {dateStyle: 'full', timeZone: 'Asia/Jerusalem'}).format(0)`,
 `new Intl.DateTimeFormat('hi-IN', {dateStyle: 'full', timeStyle: 'short', timeZone: 'Asia/Kolkata'}).format(0)`,
 `new Intl.DateTimeFormat('zh-CN', {dateStyle: 'full', timeStyle: 'long', timeZone: 'Asia/Shanghai'}).format(0)`,
 `new Intl.DateTimeFormat('ko-KR', {dateStyle: 'full', timeStyle: 'short', timeZone: 'Asia/Seoul'}).format(0)`,
 `new Intl.DateTimeFormat('pl-PL', {month: 'long', day: 'numeric', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('ru-RU', {month: 'long', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('tr-TR', {weekday: 'long', timeZone: 'UTC'}).format(0)`,
];
AGENT.forEach((e, i) => add('agent', `${i} ${e.slice(0, 60)}`, e));

// ---- less common options and their interplay ----
const MORE = [
 `new Intl.DateTimeFormat('en-US', {timeStyle: 'short', hourCycle: 'h23', timeZone: 'UTC'}).format(Date.UTC(2024,0,1,15,5))`,
 `new Intl.DateTimeFormat('en-US', {timeStyle: 'short', hour12: false, timeZone: 'UTC'}).format(Date.UTC(2024,0,1,15,5))`,
 `new Intl.DateTimeFormat('de-DE', {timeStyle: 'short', hour12: true, timeZone: 'UTC'}).format(Date.UTC(2024,0,1,15,5))`,
 `new Intl.DateTimeFormat('en-US', {dateStyle: 'medium', timeStyle: 'short', hour12: false, timeZone: 'UTC'}).resolvedOptions()`,
 `new Intl.DateTimeFormat('en-US', {hour: 'numeric', timeZoneName: 'shortGeneric', timeZone: 'America/Los_Angeles'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {hour: 'numeric', timeZoneName: 'longGeneric', timeZone: 'Europe/Paris'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {hour: '2-digit', hour12: false, timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {minute: '2-digit', timeZone: 'UTC'}).format(300000)`,
 `new Intl.DateTimeFormat('en-US', {second: 'numeric', timeZone: 'UTC'}).format(5000)`,
 `new Intl.DateTimeFormat('en-US', {year: '2-digit', month: 'narrow', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {weekday: 'long', hour: 'numeric', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {era: 'long', year: 'numeric', month: 'long', timeZone: 'UTC'}).format(-62198755200000)`,
 `new Intl.DateTimeFormat('en-US', {month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {dateStyle: 'full', timeStyle: 'full', timeZone: 'America/New_York'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {month: 'short', year: 'numeric', timeZone: 'UTC'}).formatRange(0, 86400000 * 40)`,
 `new Intl.DateTimeFormat('en-US', {month: 'short', day: 'numeric', timeZone: 'UTC'}).formatRange(0, 86400000 * 4)`,
 `new Intl.DateTimeFormat('en-US', {dateStyle: 'long', timeZone: 'UTC'}).formatRange(0, 0)`,
 `new Intl.DateTimeFormat('en-US', {hour: 'numeric', minute: 'numeric', hourCycle: 'h23', timeZone: 'UTC'}).formatRange(0, 7200000)`,
 `new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {era: 'long', year: 'numeric', timeZone: 'UTC'}).resolvedOptions()`,
 `new Intl.DateTimeFormat('ar-SA', {dateStyle: 'long', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('th-TH', {dateStyle: 'long', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('fa-IR', {dateStyle: 'long', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {calendar: 'islamic', dateStyle: 'long', timeZone: 'UTC'}).format(0)`,
 `new Intl.DateTimeFormat('en-US', {numberingSystem: 'arab', dateStyle: 'short', timeZone: 'UTC'}).format(0)`,
 `new Intl.NumberFormat('en-US', {style: 'currency', currency: 'EUR', notation: 'compact'}).format(1234567)`,
 `new Intl.NumberFormat('en-US', {style: 'percent', signDisplay: 'exceptZero'}).format(0.05)`,
 `new Intl.NumberFormat('en-US', {style: 'unit', unit: 'mile-per-gallon', unitDisplay: 'long'}).format(30)`,
 `new Intl.NumberFormat('en-US', {style: 'unit', unit: 'kilometer', unitDisplay: 'long'}).formatToParts(1)`,
 `new Intl.NumberFormat('en-US', {notation: 'engineering', maximumFractionDigits: 1}).format(12345)`,
 `new Intl.NumberFormat('en-US', {notation: 'compact', maximumFractionDigits: 2}).format(1234567)`,
 `new Intl.NumberFormat('en-US', {notation: 'compact', minimumSignificantDigits: 3}).format(1000)`,
 `new Intl.NumberFormat('en-US', {maximumFractionDigits: 2, minimumFractionDigits: 2, roundingMode: 'floor'}).format(-1.555)`,
 `new Intl.NumberFormat('en-US', {roundingIncrement: 25, maximumFractionDigits: 2, minimumFractionDigits: 2}).format(1.13)`,
 `new Intl.NumberFormat('en-US', {useGrouping: 'always'}).format(1000)`,
 `new Intl.NumberFormat('en-US', {useGrouping: 'false'}).format(1000)`,
 `new Intl.NumberFormat('pl-PL', {useGrouping: 'auto'}).format(1000)`,
 `new Intl.NumberFormat('en-US', {style: 'currency', currency: 'JPY'}).resolvedOptions().maximumFractionDigits`,
 `new Intl.NumberFormat('en-US', {style: 'currency', currency: 'KWD'}).format(1.2345)`,
 `new Intl.NumberFormat('en-US', {signDisplay: 'negative'}).format(-0)`,
 `new Intl.NumberFormat('en-US', {signDisplay: 'never'}).format(-5)`,
 `new Intl.NumberFormat('en-US').formatRange(-5, 5)`,
 `new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD'}).formatRange(5, 5)`,
 `new Intl.NumberFormat('de-DE', {style: 'unit', unit: 'kilogram'}).formatRange(1, 2.5)`,
 `new Intl.PluralRules('ar-EG').resolvedOptions().pluralCategories`,
 `[0, 1, 2, 3, 11, 100].map(n => new Intl.PluralRules('ar').select(n))`,
 `new Intl.PluralRules('en', {minimumSignificantDigits: 2}).select(1)`,
 `new Intl.RelativeTimeFormat('en', {numeric: 'auto', style: 'short'}).format(0, 'year')`,
 `new Intl.RelativeTimeFormat('de', {numeric: 'auto'}).format(-2, 'day')`,
 `new Intl.RelativeTimeFormat('en').formatToParts(-1, 'hour')`,
 `new Intl.ListFormat('en', {type: 'unit', style: 'narrow'}).format(['5 lb', '12 oz'])`,
 `new Intl.ListFormat('es').format(['a', 'i'])`,
 `new Intl.ListFormat('en').format(new Set(['x', 'y']))`,
 `new Intl.Collator('en', {sensitivity: 'base'}).compare('Straße', 'strasse')`,
 `new Intl.Collator('de', {usage: 'search', sensitivity: 'base'}).compare('ä', 'a')`,
 `new Intl.Collator('en', {numeric: true}).resolvedOptions()`,
 `new Intl.Collator('de-u-co-phonebk').resolvedOptions().collation`,
 `['ch', 'cz', 'h'].sort(new Intl.Collator('cs').compare)`,
 `['a', 'B', 'c'].sort(new Intl.Collator('en', {caseFirst: 'upper', sensitivity: 'case'}).compare)`,
 `new Intl.Locale('ar', {numberingSystem: 'arab'}).toString()`,
 `new Intl.Locale('en-GB').maximize().toString()`,
 `new Intl.Locale('und').maximize().toString()`,
 `new Intl.Locale('en-Latn-US').minimize().toString()`,
 `new Intl.Locale('en', {numeric: true, caseFirst: 'upper'}).toString()`,
 `Intl.getCanonicalLocales('iw')`,
 `Intl.getCanonicalLocales('zh-TW')`,
 `Intl.getCanonicalLocales('sgn-GR')`,
 `Intl.getCanonicalLocales('en-us-u-ca-gregory-nu-latn')`,
 `new Intl.DisplayNames('en', {type: 'language', style: 'short'}).of('en-US')`,
 `new Intl.DisplayNames('ja', {type: 'language'}).of('en')`,
 `new Intl.DisplayNames('en', {type: 'dateTimeField', style: 'short'}).of('month')`,
 `new Intl.DisplayNames('en', {type: 'currency', style: 'narrow'}).of('USD')`,
 `new Intl.Segmenter('th', {granularity: 'word'}).segment('สวัสดีครับ').containing(2)`,
 `typeof new Intl.Segmenter().segment('a')[Symbol.iterator]`,
];
MORE.forEach((e, i) => add('options', `${i} ${e.slice(0, 70)}`, e));

// Each case runs as one job body: the same text here and in codeworker.
function body(expr) {
  return `try { output = { v: (${expr}) }; } catch (e) { output = { e: e.name + ': ' + e.message }; }`;
}
const out = [];
for (const c of cases) {
  const g = {};
  new Function('g', body(c.expr).replace(/output =/g, 'g.output ='))(g);
  out.push({ family: c.family, name: c.name, code: body(c.expr), expect: JSON.parse(JSON.stringify(g.output)) });
}
process.stdout.write(JSON.stringify({
  recordedWith: { node: process.version, icu: process.versions.icu, cldr: process.versions.cldr, tz: process.versions.tz },
  cases: out
}, null, 1) + '\n');
