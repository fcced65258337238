// Package invoicepdf renders invoices, pro-forma invoices and credit notes
// as A4 PDF documents (SPEC BIL-6), the way a Swiss company sends them.
//
// The caller (billing) fills a self-contained Document; this package knows
// nothing of the database or of billing rules, it only lays the document out.
// The output is vector only, with Liberation Sans embedded (package
// internal/pdf/fonts, shared with the QR-bill).
//
// # Layout
//
//   - Seller block top-left: the seller's name in bold as a wordmark, its
//     address, VAT number as given ("CHE-123.456.789 MWST") and contact.
//   - Buyer address in the window of a Swiss C5 window envelope (window on
//     the right, 118 mm from the left edge, 45–60 mm from the top), under a
//     small sender line.
//   - Title in the document's language, then number, dates, customer and
//     payment references.
//   - The lines table (position, description and detail, quantity, unit
//     price, VAT rate, net amount); long descriptions wrap. On following
//     pages a short header and the table header repeat. Every page carries
//     "Page n/m".
//   - Totals: net, VAT per rate, total in bold with its currency; then what
//     was paid (prepaid account, payment) and the amount due, the payment
//     terms, a bank-transfer sentence when there is a reference, and notes.
//   - A pro-forma with a QR-bill gets its payment part (105 mm) at the
//     bottom of the first page when everything fits above it, otherwise on a
//     separate last page.
//
// # Numbers and dates
//
// CHF amounts use the Swiss style in every language: 1'234.50 (apostrophe
// thousands separator, decimal point), as Swiss companies print them. EUR
// amounts follow the language's own convention: 1,234.50 (en), 1.234,50
// (de, it, es) and 1 234,50 (fr, with a narrow no-break space). VAT rates
// and quantities use the same decimal separator as the amounts beside them.
//
// Dates are dd.mm.yyyy in fr, de and it (Swiss usage), dd/mm/yyyy in es and
// "22 Nov 2026" in en, which no reader can misread. FormatDate and
// FormatAmount are exported so billing can write line details ("1 year,
// 22.11.2026 – 21.11.2027") the same way.
//
// # Text
//
// Every string is normalized to NFC; control characters become spaces (a
// line break in a description or note starts a new line), format
// characters (zero-width joiners, variation selectors) are dropped, and a
// character the font has no glyph for (an emoji) becomes "?". Render never
// fails because of the text it is given.
package invoicepdf
