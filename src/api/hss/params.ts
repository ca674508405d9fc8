/** Query codecs and conventions shared by HSS operations. */
import { EXPORT_LANGS, type ExportLang } from '../../domain/exports.ts';
import { invalidParameter } from '../../domain/errors.ts';
import { int, str, withDefault } from '../text-params.ts';

/** `enterprise_project_id`: "0" (default project) or `all_granted_eps`; Parapet has one project per tenant. */
export const enterpriseProjectId = str({ maxLength: 256 });

/** An epoch-millisecond time parameter. */
export const epochMs = int({ min: 0, max: 99_999_999_999_999 });

/** `offset`/`limit` as most HSS listings take them. */
export const paging = {
  offset: withDefault(int({ min: 0, max: 2_000_000 }), 0),
  limit: withDefault(int({ min: 1, max: 200 }), 10),
};

export function checkRange(
  from: number | undefined,
  to: number | undefined,
  fromName: string,
  toName: string,
): void {
  if (from !== undefined && to !== undefined && from > to) {
    throw invalidParameter(fromName, `it is after ${toName}`);
  }
}

/**
 * The language of a produced file: the `lang` query parameter (zh, en,
 * zh-cn, en-us), else the `X-Language` header (Huawei's), else
 * `Accept-Language`; Chinese by default, like the console.
 */
export function requestLang(
  query: string | undefined,
  headers: Record<string, string | undefined>,
): ExportLang {
  if (query !== undefined) {
    const lang = query.toLowerCase().slice(0, 2);
    if (!(EXPORT_LANGS as readonly string[]).includes(lang) || !/^(zh|en)(-[a-z]{2})?$/i.test(query)) {
      throw invalidParameter('lang', `"${query.slice(0, 16)}" is not zh or en`);
    }
    return lang as ExportLang;
  }
  const header = headers['x-language'] ?? headers['accept-language'] ?? '';
  return /^\s*en/i.test(header) ? 'en' : 'zh';
}
