/** Reads an .xlsx file back whole with exceljs (a second, independent implementation). */
import ExcelJS from 'exceljs';

export interface Sheet {
  /** The first row. */
  header: string[];
  rows: unknown[][];
}

export async function readWorkbook(bytes: Buffer): Promise<Sheet[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook.worksheets.map((sheet) => {
    const values: unknown[][] = [];
    sheet.eachRow((row) => values.push((row.values as unknown[]).slice(1)));
    return { header: values[0] as string[], rows: values.slice(1) };
  });
}
