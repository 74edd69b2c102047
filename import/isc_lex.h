/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The tokenizer shared by the dhcpd.conf and dhcpd.leases readers. ISC's
 * files are statements that end with `;` and blocks in `{ }`; `#` starts a
 * comment that runs to the end of the line; strings are in double quotes
 * with backslash escapes (`\"`, `\\`, `\t`, `\n`, `\r`, `\b`, `\xHH` and
 * the three-digit octal `\ooo` dhcpd writes for unprintable bytes).
 *
 * Everything that is not punctuation, a string or a comment is a word:
 * names, numbers, dotted quads, colon hex ("01:0c:29"), dates
 * ("2026/11/25") and times ("01:02:03") all come out as ISC_T_WORD; the
 * isc_word_* helpers tell them apart.
 *
 * The input is held in memory: every file read stays until isc_lex_free(),
 * so that an issue can quote a statement after its file was closed. Input
 * is untrusted: every read is bounded and errors are sticky (the first one
 * is kept in lex->err as "file:line: what", and every later token is
 * ISC_T_ERROR). Single-threaded; one lexer per parse.
 */
#ifndef LW_ISC_LEX_H
#define LW_ISC_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "import/isc_conf.h" /* struct isc_issue */

#define ISC_LEX_MAX_TEXT  2048	     /* longest token (a string after unescaping) */
#define ISC_LEX_MAX_DEPTH 16	     /* include nesting */
#define ISC_LEX_MAX_FILES 256	     /* files read in one parse */
#define ISC_LEX_MAX_SIZE  (1u << 30) /* largest file read */

enum isc_tok_type {
	ISC_T_EOF = 0,
	ISC_T_ERROR,
	ISC_T_WORD,
	ISC_T_STRING,
	ISC_T_LBRACE,
	ISC_T_RBRACE,
	ISC_T_SEMI,
	ISC_T_COMMA,
	ISC_T_EQUAL,
	ISC_T_PUNCT, /* one of ( ) ! & | ~ + * % < > (expressions, not converted) */
};

struct isc_tok {
	enum isc_tok_type type;
	unsigned file;			 /* index in lex->files */
	unsigned line;			 /* 1-based */
	size_t off, end;		 /* byte range in that file's buffer */
	size_t len;			 /* bytes in text, without the NUL */
	char text[ISC_LEX_MAX_TEXT + 1]; /* NUL-terminated; a STRING may hold NULs */
};

struct isc_lex_file {
	char name[256]; /* as given (command line or include statement) */
	char *buf;	/* owned */
	size_t len;
	dev_t dev; /* identity, for include loops (0/0 for a buffer) */
	ino_t ino;
};

/* One level of the include stack: where reading stands in one file. */
struct isc_lex_level {
	unsigned file; /* index in files */
	size_t pos;
	unsigned line;
};

struct isc_lex {
	struct isc_lex_file files[ISC_LEX_MAX_FILES];
	unsigned n_files;
	struct isc_lex_level stack[ISC_LEX_MAX_DEPTH]; /* the include stack */
	int depth;				       /* levels in use; 0 when nothing is open */
	bool allow_include;
	struct isc_tok peeked;
	bool has_peeked;
	size_t last_end; /* end of the last token returned, in last_file */
	unsigned last_file;
	char err[512];
};

/* Reads path into a new lexer (allow_include: `include` may open files).
 * Returns 0, or -1 with lex->err set. The lexer must be isc_lex_free()d in
 * both cases. */
int isc_lex_open_file(struct isc_lex *lex, const char *path, bool allow_include);

/* The same over a copy of len bytes of text, named name in messages. */
int isc_lex_open_buf(
	struct isc_lex *lex, const char *text, size_t len, const char *name, bool allow_include);

void isc_lex_free(struct isc_lex *lex);

/*
 * A new lexer (heap) on the file at name (text NULL) or on text[0..len)
 * named name: NULL with err filled ("NAME: what") when it cannot be
 * allocated or read. Ends with isc_lex_destroy().
 */
struct isc_lex *isc_lex_create(const char *name, const char *text, size_t len, bool allow_include,
	char *err, size_t errlen);
void isc_lex_destroy(struct isc_lex *lex);

/* Pushes the file name (relative paths: to the directory of the file being
 * read, as dhcpd does); its tokens come next. Refuses an include loop
 * (naming the chain), nesting beyond ISC_LEX_MAX_DEPTH, a missing file.
 * Returns 0 or -1 with lex->err set (at line of the include statement). */
int isc_lex_include(struct isc_lex *lex, const char *name, unsigned line);

/* Next token into t. Returns t->type. */
enum isc_tok_type isc_lex_next(struct isc_lex *lex, struct isc_tok *t);
/* Next token without consuming it. */
enum isc_tok_type isc_lex_peek(struct isc_lex *lex, struct isc_tok *t);

/* Sets the sticky error "file:line: what" unless one is set already. Returns -1. */
int isc_lex_fail(struct isc_lex *lex, const struct isc_tok *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The file name of a token. */
const char *isc_lex_file_name(const struct isc_lex *lex, const struct isc_tok *t);

/* The source of a statement from its first token to the end of the last
 * token read (whitespace and comments folded to one space, shortened with
 * "..." to fit), into buf. */
void isc_lex_snippet(const struct isc_lex *lex, const struct isc_tok *start, char *buf, size_t len);

/*
 * Skips the rest of a statement whose first token was already read: up to
 * and including a `;` outside braces, or a balanced `{ ... }` block (and an
 * `else`/`elsif` block that follows it). A `}` that closes the enclosing
 * block is left unread. Returns 0, or -1 at end of input or on error.
 */
int isc_lex_skip_statement(struct isc_lex *lex, const struct isc_tok *first);

/* Word classification. */
bool isc_word_is(const struct isc_tok *t, const char *word); /* a WORD equal to word */
int isc_word_u32(const struct isc_tok *t, uint32_t *out);    /* decimal; 0 or -1 */
int isc_word_ip4(const struct isc_tok *t, uint32_t *out);    /* dotted quad; 0 or -1 */
/* Colon-separated hex, one or two digits per byte ("0:c:29:ab"); returns
 * the byte count, or -1 when the word is not that or does not fit cap. */
int isc_word_hex(const struct isc_tok *t, uint8_t *out, size_t cap);

/* A growable list of issues. */
struct isc_issues {
	struct isc_issue *v;
	size_t n, cap;
};

/* Appends an issue for the statement starting at start (quoted with
 * isc_lex_snippet). Returns 0 or -ENOMEM. */
int isc_issue_add(struct isc_issues *is, const struct isc_lex *lex, const struct isc_tok *start,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
