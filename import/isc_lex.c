/* SPDX-License-Identifier: MPL-2.0 */
#include "import/isc_lex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes that end a word besides white space: punctuation of the grammar. */
static bool is_special(unsigned char c)
{
	return strchr("{};,=\"#()!&|~+*%<>", c) != NULL && c != '\0';
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int isc_lex_fail(struct isc_lex *lex, const struct isc_tok *at, const char *fmt, ...)
{
	char what[384];
	va_list ap;

	if (lex->err[0] != '\0')
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (at != NULL)
		snprintf(lex->err, sizeof(lex->err), "%s:%u: %s", isc_lex_file_name(lex, at),
			at->line, what);
	else
		snprintf(lex->err, sizeof(lex->err), "%s", what);
	return -1;
}

const char *isc_lex_file_name(const struct isc_lex *lex, const struct isc_tok *t)
{
	return t->file < lex->n_files ? lex->files[t->file].name : "?";
}

static int add_file(struct isc_lex *lex, const char *name, char *buf, size_t len)
{
	struct isc_lex_file *f;

	if (lex->n_files >= ISC_LEX_MAX_FILES) {
		free(buf);
		snprintf(lex->err, sizeof(lex->err), "%s: more than %d files included", name,
			ISC_LEX_MAX_FILES);
		return -1;
	}
	f = &lex->files[lex->n_files];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->buf = buf;
	f->len = len;
	return (int)lex->n_files++;
}

/* Reads a regular file whole. Returns the buffer (NUL-terminated) or NULL
 * with errno set. */
static char *read_file(const char *path, size_t *len, struct stat *st)
{
	char *buf = NULL;
	size_t got = 0;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, st) < 0)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((uint64_t)st->st_size > ISC_LEX_MAX_SIZE) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (buf == NULL)
		goto fail;
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*len = got;
	close(fd);
	return buf;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return NULL;
}

static void push(struct isc_lex *lex, int file)
{
	lex->stack[lex->depth].file = (unsigned)file;
	lex->stack[lex->depth].pos = 0;
	lex->stack[lex->depth].line = 1;
	lex->depth++;
}

int isc_lex_open_file(struct isc_lex *lex, const char *path, bool allow_include)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	int f;

	memset(lex, 0, sizeof(*lex));
	lex->allow_include = allow_include;
	buf = read_file(path, &len, &st);
	if (buf == NULL) {
		snprintf(lex->err, sizeof(lex->err), "%s: cannot read: %s", path,
			errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	f = add_file(lex, path, buf, len);
	if (f < 0)
		return -1;
	lex->files[f].dev = st.st_dev;
	lex->files[f].ino = st.st_ino;
	push(lex, f);
	return 0;
}

int isc_lex_open_buf(
	struct isc_lex *lex, const char *text, size_t len, const char *name, bool allow_include)
{
	char *buf;
	int f;

	memset(lex, 0, sizeof(*lex));
	lex->allow_include = allow_include;
	buf = malloc(len + 1);
	if (buf == NULL) {
		snprintf(lex->err, sizeof(lex->err), "%s: out of memory", name);
		return -1;
	}
	if (len > 0)
		memcpy(buf, text, len);
	buf[len] = '\0';
	f = add_file(lex, name, buf, len);
	if (f < 0)
		return -1;
	push(lex, f);
	return 0;
}

void isc_lex_free(struct isc_lex *lex)
{
	for (unsigned i = 0; i < lex->n_files; i++)
		free(lex->files[i].buf);
	lex->n_files = 0;
	lex->depth = 0;
}

struct isc_lex *isc_lex_create(const char *name, const char *text, size_t len, bool allow_include,
	char *err, size_t errlen)
{
	struct isc_lex *lex = calloc(1, sizeof(*lex));
	int rc;

	if (lex == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	rc = text ? isc_lex_open_buf(lex, text, len, name, allow_include)
		  : isc_lex_open_file(lex, name, allow_include);
	if (rc < 0) {
		snprintf(err, errlen, "%s", lex->err);
		isc_lex_destroy(lex);
		return NULL;
	}
	return lex;
}

void isc_lex_destroy(struct isc_lex *lex)
{
	if (lex == NULL)
		return;
	isc_lex_free(lex);
	free(lex);
}

int isc_lex_include(struct isc_lex *lex, const char *name, unsigned line)
{
	const struct isc_lex_file *cur;
	char path[1024], chain[320];
	struct isc_tok at = {.line = line};
	struct stat st;
	size_t len = 0, used = 0;
	char *buf;
	int f;

	if (lex->depth == 0)
		return -1;
	at.file = lex->stack[lex->depth - 1].file;
	cur = &lex->files[at.file];
	if (!lex->allow_include)
		return isc_lex_fail(lex, &at, "include \"%s\": includes are not read here", name);
	if (name[0] == '\0')
		return isc_lex_fail(lex, &at, "include: empty file name");
	if (name[0] == '/') {
		snprintf(path, sizeof(path), "%s", name);
	} else {
		const char *slash = strrchr(cur->name, '/');

		if (slash == NULL)
			snprintf(path, sizeof(path), "%s", name);
		else
			snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - cur->name), cur->name,
				name);
	}
	if (lex->depth >= ISC_LEX_MAX_DEPTH)
		return isc_lex_fail(lex, &at, "include \"%s\": more than %d levels of include",
			name, ISC_LEX_MAX_DEPTH);
	buf = read_file(path, &len, &st);
	if (buf == NULL)
		return isc_lex_fail(lex, &at, "include \"%s\": cannot read %s: %s", name, path,
			errno == EINVAL ? "not a regular file" : strerror(errno));
	for (int i = 0; i < lex->depth; i++) {
		const struct isc_lex_file *o = &lex->files[lex->stack[i].file];

		if (o->dev != st.st_dev || o->ino != st.st_ino || o->ino == 0)
			continue;
		free(buf);
		chain[0] = '\0';
		for (int j = i; j < lex->depth && used < sizeof(chain); j++) {
			int n = snprintf(chain + used, sizeof(chain) - used, "%s -> ",
				lex->files[lex->stack[j].file].name);
			used += n > 0 ? (size_t)n : 0;
		}
		if (used < sizeof(chain))
			snprintf(chain + used, sizeof(chain) - used, "%.300s", path);
		return isc_lex_fail(lex, &at, "include loop: %s", chain);
	}
	f = add_file(lex, path, buf, len);
	if (f < 0)
		return -1;
	lex->files[f].dev = st.st_dev;
	lex->files[f].ino = st.st_ino;
	push(lex, f);
	return 0;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A quoted string; pos is on the opening quote. */
static enum isc_tok_type lex_string(struct isc_lex *lex, struct isc_tok *t)
{
	struct isc_lex_level *cur = &lex->stack[lex->depth - 1];
	const struct isc_lex_file *f = &lex->files[cur->file];
	size_t p = cur->pos + 1;

	t->len = 0;
	for (;;) {
		unsigned char c;
		int v;

		if (p >= f->len) {
			isc_lex_fail(lex, t, "unterminated string");
			return t->type = ISC_T_ERROR;
		}
		c = (unsigned char)f->buf[p++];
		if (c == '"')
			break;
		if (c == '\n')
			cur->line++;
		if (c == '\\' && p < f->len) {
			c = (unsigned char)f->buf[p++];
			switch (c) {
			case 't':
				c = '\t';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'x':
				v = 0;
				for (int i = 0; i < 2 && p < f->len &&
						hexval((unsigned char)f->buf[p]) >= 0;
					i++)
					v = v * 16 + hexval((unsigned char)f->buf[p++]);
				c = (unsigned char)v;
				break;
			case '\n':
				cur->line++;
				break;
			default:
				if (c >= '0' && c <= '7') {
					v = c - '0';
					for (int i = 1; i < 3 && p < f->len && f->buf[p] >= '0' &&
							f->buf[p] <= '7';
						i++)
						v = v * 8 + (f->buf[p++] - '0');
					c = (unsigned char)(v & 0xff);
				}
				break;
			}
		}
		if (t->len >= ISC_LEX_MAX_TEXT) {
			isc_lex_fail(lex, t, "string longer than %d bytes", ISC_LEX_MAX_TEXT);
			return t->type = ISC_T_ERROR;
		}
		t->text[t->len++] = (char)c;
	}
	t->text[t->len] = '\0';
	cur->pos = p;
	return t->type = ISC_T_STRING;
}

static enum isc_tok_type lex_token(struct isc_lex *lex, struct isc_tok *t)
{
	memset(t, 0, offsetof(struct isc_tok, text));
	t->text[0] = '\0';
	if (lex->err[0] != '\0')
		return t->type = ISC_T_ERROR;
	for (;;) {
		const struct isc_lex_file *f;
		unsigned char c;

		if (lex->depth == 0)
			return t->type = ISC_T_EOF;
		f = &lex->files[lex->stack[lex->depth - 1].file];
		size_t *pos = &lex->stack[lex->depth - 1].pos;
		unsigned *line = &lex->stack[lex->depth - 1].line;

		while (*pos < f->len) {
			c = (unsigned char)f->buf[*pos];
			if (c == '\n') {
				(*line)++;
				(*pos)++;
			} else if (is_space(c)) {
				(*pos)++;
			} else if (c == '#') {
				while (*pos < f->len && f->buf[*pos] != '\n')
					(*pos)++;
			} else {
				break;
			}
		}
		t->file = lex->stack[lex->depth - 1].file;
		t->line = *line;
		t->off = *pos;
		if (*pos >= f->len) {
			if (lex->depth > 1) {
				lex->depth--;
				continue;
			}
			t->end = *pos;
			return t->type = ISC_T_EOF;
		}
		c = (unsigned char)f->buf[*pos];
		if (c == '"') {
			if (lex_string(lex, t) == ISC_T_ERROR)
				return ISC_T_ERROR;
		} else if (is_special(c)) {
			(*pos)++;
			t->text[0] = (char)c;
			t->text[1] = '\0';
			t->len = 1;
			t->type = c == '{'   ? ISC_T_LBRACE
				  : c == '}' ? ISC_T_RBRACE
				  : c == ';' ? ISC_T_SEMI
				  : c == ',' ? ISC_T_COMMA
				  : c == '=' ? ISC_T_EQUAL
					     : ISC_T_PUNCT;
		} else if (c < 0x20 || c == 0x7f) {
			isc_lex_fail(lex, t, "unexpected byte 0x%02x", c);
			return t->type = ISC_T_ERROR;
		} else {
			while (*pos < f->len) {
				c = (unsigned char)f->buf[*pos];
				if (is_space(c) || is_special(c) || c < 0x20 || c == 0x7f)
					break;
				if (t->len >= ISC_LEX_MAX_TEXT) {
					isc_lex_fail(lex, t, "word longer than %d bytes",
						ISC_LEX_MAX_TEXT);
					return t->type = ISC_T_ERROR;
				}
				t->text[t->len++] = (char)c;
				(*pos)++;
			}
			t->text[t->len] = '\0';
			t->type = ISC_T_WORD;
		}
		t->end = lex->stack[lex->depth - 1].pos;
		return t->type;
	}
}

/* Copies the used part of a token only: text is 2 KiB, tokens are short. */
static void tok_copy(struct isc_tok *dst, const struct isc_tok *src)
{
	memcpy(dst, src, offsetof(struct isc_tok, text) + src->len + 1);
}

enum isc_tok_type isc_lex_next(struct isc_lex *lex, struct isc_tok *t)
{
	if (lex->has_peeked) {
		tok_copy(t, &lex->peeked);
		lex->has_peeked = false;
	} else {
		lex_token(lex, t);
	}
	if (t->type != ISC_T_EOF && t->type != ISC_T_ERROR) {
		lex->last_end = t->end;
		lex->last_file = t->file;
	}
	return t->type;
}

enum isc_tok_type isc_lex_peek(struct isc_lex *lex, struct isc_tok *t)
{
	if (!lex->has_peeked) {
		lex_token(lex, &lex->peeked);
		lex->has_peeked = true;
	}
	tok_copy(t, &lex->peeked);
	return t->type;
}

void isc_lex_snippet(const struct isc_lex *lex, const struct isc_tok *start, char *buf, size_t len)
{
	const struct isc_lex_file *f;
	size_t p, end, o = 0;
	bool space = false, quoted = false;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (start->file >= lex->n_files)
		return;
	f = &lex->files[start->file];
	end = lex->last_file == start->file && lex->last_end > start->off ? lex->last_end
									  : start->end;
	if (end > f->len)
		end = f->len;
	for (p = start->off; p < end; p++) {
		unsigned char c = (unsigned char)f->buf[p];

		if (!quoted && c == '#') {
			while (p < end && f->buf[p] != '\n')
				p++;
			space = true;
			continue;
		}
		if (c == '"' && (p == start->off || f->buf[p - 1] != '\\'))
			quoted = !quoted;
		if (is_space(c) || c < 0x20 || c == 0x7f) {
			space = true;
			continue;
		}
		if (space && o > 0) {
			if (o + 1 >= len)
				break;
			buf[o++] = ' ';
		}
		space = false;
		if (o + 1 >= len)
			break;
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	if (p < end && len > 4) {
		if (o > len - 4)
			o = len - 4;
		memcpy(buf + o, "...", 4);
	}
}

int isc_lex_skip_statement(struct isc_lex *lex, const struct isc_tok *first)
{
	struct isc_tok t;
	int depth = 0;

	if (first->type == ISC_T_SEMI)
		return 0;
	if (first->type == ISC_T_LBRACE)
		depth = 1;
	for (;;) {
		switch (isc_lex_next(lex, &t)) {
		case ISC_T_EOF:
			return isc_lex_fail(
				lex, first, "end of file inside the statement that starts here");
		case ISC_T_ERROR:
			return -1;
		case ISC_T_LBRACE:
			depth++;
			break;
		case ISC_T_RBRACE:
			if (depth == 0) {
				tok_copy(&lex->peeked, &t);
				lex->has_peeked = true;
				return 0;
			}
			if (--depth == 0) {
				isc_lex_peek(lex, &t);
				if (isc_word_is(&t, "else") || isc_word_is(&t, "elsif"))
					break;
				return 0;
			}
			break;
		case ISC_T_SEMI:
			if (depth == 0)
				return 0;
			break;
		default:
			break;
		}
	}
}

bool isc_word_is(const struct isc_tok *t, const char *word)
{
	return t->type == ISC_T_WORD && strcasecmp(t->text, word) == 0;
}

int isc_word_u32(const struct isc_tok *t, uint32_t *out)
{
	uint64_t v = 0;

	if (t->type != ISC_T_WORD || t->len == 0 || t->len > 10)
		return -1;
	for (size_t i = 0; i < t->len; i++) {
		if (t->text[i] < '0' || t->text[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(t->text[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int isc_word_ip4(const struct isc_tok *t, uint32_t *out)
{
	uint32_t a = 0;
	unsigned part = 0, digits = 0, parts = 0;

	if (t->type != ISC_T_WORD)
		return -1;
	for (size_t i = 0; i <= t->len; i++) {
		char c = i < t->len ? t->text[i] : '.';

		if (c >= '0' && c <= '9') {
			part = part * 10 + (unsigned)(c - '0');
			if (++digits > 3 || part > 255)
				return -1;
		} else if (c == '.') {
			if (digits == 0 || ++parts > 4)
				return -1;
			a = a << 8 | part;
			part = 0;
			digits = 0;
		} else {
			return -1;
		}
	}
	if (parts != 4)
		return -1;
	*out = a;
	return 0;
}

int isc_word_hex(const struct isc_tok *t, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned digits = 0, v = 0;

	if (t->type != ISC_T_WORD || t->len == 0)
		return -1;
	for (size_t i = 0; i <= t->len; i++) {
		char c = i < t->len ? t->text[i] : ':';
		int h = hexval((unsigned char)c);

		if (h >= 0) {
			v = v * 16 + (unsigned)h;
			if (++digits > 2)
				return -1;
		} else if (c == ':') {
			if (digits == 0 || n >= cap)
				return -1;
			out[n++] = (uint8_t)v;
			v = 0;
			digits = 0;
		} else {
			return -1;
		}
	}
	return (int)n;
}

int isc_issue_add(struct isc_issues *is, const struct isc_lex *lex, const struct isc_tok *start,
	const char *fmt, ...)
{
	struct isc_issue *e;
	va_list ap;

	if (is->n == is->cap) {
		size_t cap = is->cap ? is->cap * 2 : 16;
		struct isc_issue *v = realloc(is->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		is->v = v;
		is->cap = cap;
	}
	e = &is->v[is->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->file, sizeof(e->file), "%s", isc_lex_file_name(lex, start));
	e->line = start->line;
	isc_lex_snippet(lex, start, e->stmt, sizeof(e->stmt));
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return 0;
}
