// Package camt reads camt.054 bank-to-customer debit/credit notifications
// (ISO 20022 BkToCstmrDbtCdtNtfctn), the files Swiss banks send for incoming
// QR-bill payments, so that billing can match them to invoices by reference.
//
// Versions camt.054.001.04 (Swiss Payment Standards until 2025) and
// camt.054.001.08 (current) are read alike: elements are matched by local
// name, whatever the namespace. The differences that matter are absorbed:
// the entry status is <Sts>BOOK</Sts> in .04 and <Sts><Cd>BOOK</Cd></Sts> in
// .08; a related party's name is <Dbtr><Nm> in .04 and <Dbtr><Pty><Nm> in .08.
//
// # What Parse returns
//
// One Entry per transaction detail (Ntry/NtryDtls/TxDtls): a batch booking
// that credits several payments in one entry gives one Entry per payment,
// each with its own amount. An entry without transaction details gives one
// Entry from the entry itself. Only booked entries (status BOOK) are
// returned; pending (PDNG) and information-only (INFO) entries are skipped,
// since the bank reports them again once booked.
//
//   - Amount: the transaction's amount (TxDtls/Amt, else
//     TxDtls/AmtDtls/TxAmt/Amt, else …/InstdAmt/Amt; the entry's amount when
//     the entry has a single transaction) in minor units, parsed from the
//     decimal string, never through a float. CHF and EUR only.
//   - Reference: the structured creditor reference, a QR reference (QRR) or
//     an ISO 11649 creditor reference (SCOR), from RmtInf/Strd/CdtrRefInf/Ref,
//     spaces removed and upper-cased.
//   - AccountServicerRef: the bank's reference of the transaction
//     (TxDtls/Refs/AcctSvcrRef), else the entry's (Ntry/AcctSvcrRef), with
//     "/n" appended for the n-th transaction of a batch: unique per Entry,
//     so a file imported twice can be recognised.
//
// Errors name the entry and transaction at fault and wrap ErrNotCamt054 or
// ErrAmount where those apply.
package camt
