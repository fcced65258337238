// Package qrbill makes Swiss QR-bills: the Swiss QR Code text, its check
// digits, and the payment part with receipt drawn into a PDF, following the
// SIX "Swiss Implementation Guidelines for the QR-bill" (IG QR-bill) version
// 2.3, valid from November 2025. Section names below are the guidelines'.
//
// # Data ("Data elements in the QR-bill")
//
// A Bill holds what the Swiss QR Code carries. Bill.Payload writes the
// header (QRType "SPC", Version "0200", Coding Type "1" = UTF-8 restricted to
// the Latin character set), the creditor's IBAN and structured address
// (address type "S", the only type allowed from v2.3: the combined "K" type
// is gone), seven empty ultimate-creditor elements, amount and currency, the
// ultimate debtor, the reference type and reference, the unstructured
// message, the trailer "EPD", then the optional bill information and up to
// two alternative schemes. Elements are separated by CR LF and nothing
// follows the last one ("Data structure"). The text is at most 997
// characters; this package counts UTF-8 bytes so the code never exceeds
// version 25 ("Swiss QR Code").
//
// # Rules (Bill.Validate)
//
//   - "IBAN": 21 characters, CH or LI only, ISO 13616 MOD 97-10 check
//     digits. An IBAN whose institution id (IID, characters 5-9) is in
//     30000-31999 is a QR-IBAN.
//   - "Payment reference": with a QR-IBAN the reference is a QR reference
//     (QRR): 27 digits, the last a recursive modulo 10 check digit. With any
//     other IBAN it is an ISO 11649 creditor reference (SCOR: "RF", two
//     MOD 97 check digits, up to 25 characters) or none (NON).
//   - "Payment amount information": CHF or EUR; 0.01 to 999 999 999.99, or
//     blank (money.Amount with Minor 0) for the payer to fill in.
//   - "Creditor" / "Ultimate debtor": name ≤ 70, street ≤ 70, building
//     number ≤ 16, postal code ≤ 16, town ≤ 35 characters, ISO 3166-1
//     alpha-2 country; name, postal code, town and country mandatory.
//   - "Additional information": unstructured message and bill information
//     ≤ 140 characters together. "Alternative schemes": ≤ 2, ≤ 100 each.
//   - "Character set": see AllowedRune.
//
// The check-digit helpers (QRRReference, SCORReference, CheckQRR, CheckSCOR,
// CheckIBAN, Mod10Recursive, Mod97) are exported for the billing code, which
// makes references from invoice numbers.
//
// # Layout ("Layout of the QR-bill", "Payment part", "Receipt")
//
// Bill.Draw draws the 210 × 105 mm slip at the bottom of an A4 page: the
// receipt (62 mm: title, information, amount, acceptance point) and the
// payment part (148 mm: title, the 46 × 46 mm Swiss QR Code at level M with
// the 7 × 7 mm Swiss cross, amount, information, further information), with
// dashed separation lines and scissors. Titles are 11 pt bold; payment part
// headings 8 pt bold and values 10 pt; receipt headings 6 pt bold and values
// 8 pt; type is Liberation Sans (package pdf/fonts), one of the four fonts
// the guidelines allow. The QR code is drawn as vector rectangles. Texts are
// German, French, Italian or English; other languages fall back to English.
package qrbill
