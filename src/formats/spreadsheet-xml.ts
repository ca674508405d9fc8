/**
 * The SpreadsheetML text that xlsx-writer.ts streams: cell text escaping and
 * the small fixed parts of a workbook (styles, relationships, content types).
 * Kept minimal on purpose: no shared strings, no themes, three cell styles.
 */

/** Excel's limit on the characters in one cell (UTF-16 code units). */
const MAX_CELL_CHARS = 32_767;

/** Cell style indexes into the cellXfs of `stylesXml`. */
export const DATE_STYLE = 1;
const HEADER_STYLE = 2;

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

// Anything that sends a text down the slow path: XML specials, CR (which XML
// parsers would turn into LF), characters illegal in XML 1.0, any surrogate
// (pairs are fine but are checked there), and "_" (for Excel's own `_xHHHH_`
// escape). One character class is much faster to test than anything finer.
const NEEDS_WORK = /[&<>"\r\0-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff_]/;
const ILLEGAL_XML_CHARS =
  /[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPED = /[&<>"\r]|_(?=x[0-9a-f]{4}_)/gi;
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#13;',
  // Excel and LibreOffice read a literal "_x0041_" as "A" unless its underscore is escaped (as "_x005F_").
  _: '_x005F_',
};

function escapeChar(char: string): string {
  return ENTITIES[char]!;
}

/**
 * A cell's text as the content of `<t>`: characters illegal in XML 1.0
 * removed, cut at MAX_CELL_CHARS (never between the halves of a surrogate
 * pair), escaped. Most texts need none of it and come back as they are.
 */
export function escapeCellText(text: string): string {
  if (text.length <= MAX_CELL_CHARS && !NEEDS_WORK.test(text)) return text;
  let clean = text.replace(ILLEGAL_XML_CHARS, '');
  if (clean.length > MAX_CELL_CHARS) {
    const last = clean.charCodeAt(MAX_CELL_CHARS - 1);
    clean = clean.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_CELL_CHARS - 1 : MAX_CELL_CHARS);
  }
  return clean.replace(ESCAPED, escapeChar);
}

/** Whether escaped cell text starts or ends with white space, which needs `xml:space="preserve"` to survive. */
export function hasEdgeSpace(xml: string): boolean {
  // Escaped, the only characters up to U+0020 left are tab, LF and space; CR is "&#13;".
  const first = xml.charCodeAt(0);
  const last = xml.charCodeAt(xml.length - 1);
  return (
    first <= 32 ||
    last <= 32 ||
    (first === 38 && xml.startsWith('&#13;')) ||
    (last === 59 && xml.endsWith('&#13;'))
  );
}

/** `<is>` of an inline string cell. */
export function inlineString(text: string): string {
  const xml = escapeCellText(text);
  return hasEdgeSpace(xml) ? `<is><t xml:space="preserve">${xml}</t></is>` : `<is><t>${xml}</t></is>`;
}

/** XML attribute value. */
export function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Column letters for a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/**
 * Sheet names Excel accepts: `[]:*?/\` replaced by "_", no apostrophe at
 * either end, at most 31 characters including `suffix` (" (2)" for the second sheet).
 */
export function sheetName(base: string, suffix = ''): string {
  const cleaned = base
    .replace(ILLEGAL_XML_CHARS, '')
    .replace(/[[\]:*?/\\]/g, '_')
    .replace(/^'+/, '')
    .slice(0, 31 - suffix.length)
    .replace(/[\ud800-\udbff]$/, '')
    .replace(/'+$/, '');
  return (cleaned === '' ? 'Sheet' : cleaned) + suffix;
}

export interface SheetColumn {
  header: string;
  width: number;
}

/** Everything of a worksheet before its first data row: frozen header row, widths, header. */
export function sheetHead(columns: readonly SheetColumn[], selected: boolean): string {
  const cols = columns
    .map((column, i) => `<col min="${i + 1}" max="${i + 1}" width="${column.width}" customWidth="1"/>`)
    .join('');
  const header = columns
    .map(
      (column, i) =>
        `<c r="${columnLetters(i)}1" s="${HEADER_STYLE}" t="inlineStr">${inlineString(column.header)}</c>`,
    )
    .join('');
  return (
    `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<sheetViews><sheetView${selected ? ' tabSelected="1"' : ''} workbookViewId="0">` +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>' +
    `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols>` +
    `<sheetData><row r="1">${header}</row>`
  );
}

/** Everything of a worksheet after its last data row, with an autoFilter over the header and the data. */
export function sheetTail(columnCount: number, dataRows: number): string {
  return (
    `</sheetData><autoFilter ref="A1:${columnLetters(columnCount - 1)}${dataRows + 1}"/>` +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
  );
}

export interface SheetEntry {
  name: string;
  dataRows: number;
}

export function workbookXml(columnCount: number, sheets: readonly SheetEntry[]): string {
  const sheetList = sheets
    .map((sheet, i) => `<sheet name="${escapeAttribute(sheet.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
    .join('');
  // Excel keeps each autoFilter's range in this hidden name too.
  const lastColumn = columnLetters(columnCount - 1);
  const filters = sheets
    .map((sheet, i) => {
      const range = `'${sheet.name.replaceAll("'", "''")}'!$A$1:$${lastColumn}$${sheet.dataRows + 1}`;
      return `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${escapeAttribute(range)}</definedName>`;
    })
    .join('');
  return (
    `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>' +
    `<sheets>${sheetList}</sheets><definedNames>${filters}</definedNames></workbook>`
  );
}

export function workbookRelsXml(sheetCount: number): string {
  let rels = '';
  for (let i = 1; i <= sheetCount; i++) {
    rels += `<Relationship Id="rId${i}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i}.xml"/>`;
  }
  rels += `<Relationship Id="rId${sheetCount + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>`;
  return `${XML_DECLARATION}<Relationships xmlns="${PKG_REL_NS}">${rels}</Relationships>`;
}

export function contentTypesXml(sheetCount: number): string {
  const ct = 'application/vnd.openxmlformats-officedocument';
  let overrides =
    `<Override PartName="/xl/workbook.xml" ContentType="${ct}.spreadsheetml.sheet.main+xml"/>` +
    `<Override PartName="/xl/styles.xml" ContentType="${ct}.spreadsheetml.styles+xml"/>` +
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
    `<Override PartName="/docProps/app.xml" ContentType="${ct}.extended-properties+xml"/>`;
  for (let i = 1; i <= sheetCount; i++) {
    overrides += `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="${ct}.spreadsheetml.worksheet+xml"/>`;
  }
  return (
    `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    `<Default Extension="xml" ContentType="application/xml"/>${overrides}</Types>`
  );
}

export const rootRelsXml =
  `${XML_DECLARATION}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
  `<Relationship Id="rId3" Type="${REL_NS}/extended-properties" Target="docProps/app.xml"/>` +
  '</Relationships>';

export const appXml =
  `${XML_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
  '<Application>Parapet</Application></Properties>';

export function coreXml(created: Date): string {
  const when = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    `${XML_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Parapet</dc:creator>' +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified></cp:coreProperties>`
  );
}

const FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>';
const XF = 'fontId="0" fillId="0" borderId="0" xfId="0"';

/** Styles: 0 plain, DATE_STYLE `yyyy-mm-dd hh:mm:ss`, HEADER_STYLE bold. */
export const stylesXml =
  `${XML_DECLARATION}<styleSheet xmlns="${MAIN_NS}">` +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>' +
  `<fonts count="2"><font>${FONT}</font><font><b/>${FONT}</font></fonts>` +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  `<cellXfs count="3"><xf numFmtId="0" ${XF}/><xf numFmtId="164" ${XF} applyNumberFormat="1"/>` +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';
