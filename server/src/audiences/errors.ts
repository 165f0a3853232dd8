import { AppError } from '../errors.js';

/** Refusals of audiences, imports, opt-outs and consents, with stable codes. */
export const csvInvalid = (line: number, why: string) =>
  new AppError(400, 'csv_invalid', `the CSV cannot be read at line ${line}: ${why}`, { line });
export const phoneColumnMissing = (header: string[], asked?: string) =>
  new AppError(400, 'phone_column_missing', asked
    ? `the CSV has no column "${asked}"; its columns are: ${header.join(', ')}`
    : `say which column holds the phone number (phoneColumn); the CSV's columns are: ${header.join(', ')}`, { columns: header });
export const importTooLarge = (what: 'bytes' | 'rows', limit: number) =>
  new AppError(413, 'import_too_large', what === 'bytes'
    ? `a contact import may have at most ${limit} bytes; split the file`
    : `a contact import may have at most ${limit} rows; split the file`, { limit, what });
export const importWrongChannel = () =>
  new AppError(400, 'import_wrong_channel', 'CSV imports of phone numbers are for WhatsApp connections');
export const phoneInvalid = (phone: string) =>
  new AppError(400, 'phone_invalid', `"${phone}" is not a phone number WhatsApp can reach (with DDD, or +country code)`);
export const contactOtherConnection = () =>
  new AppError(400, 'contact_other_connection', 'the contact belongs to another connection');
