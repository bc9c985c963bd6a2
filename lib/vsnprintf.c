#include "lib/vsnprintf.h"
#include "lib/string.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none */
};

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - (int)n);
}

/* @is_signed: '+' and ' ' apply to d and i only */
static void put_num(struct out *o, uint64_t v, bool neg, bool is_signed,
		    unsigned base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prec = sp->prec;
	char sign = 0;
	const char *prefix = "";
	int zeros, total;

	if (neg)
		sign = '-';
	else if (is_signed && (sp->flags & F_PLUS))
		sign = '+';
	else if (is_signed && (sp->flags & F_SPACE))
		sign = ' ';
	if ((sp->flags & F_ALT) && v && base == 16)
		prefix = upper ? "0X" : "0x";
	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (n == 0 && prec != 0)
		tmp[n++] = '0';
	zeros = prec > n ? prec - n : 0;
	/* '#' with octal: make sure the first digit is a 0, nothing more */
	if ((sp->flags & F_ALT) && base == 8 && zeros == 0 &&
	    (n == 0 || tmp[n - 1] != '0'))
		zeros = 1;
	total = n + zeros + (sign != 0) + (int)strlen(prefix);
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && prec < 0) {
		zeros += sp->width > total ? sp->width - total : 0;
		total = sp->width > total ? sp->width : total;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - total);
}

static int parse_int(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9')
		v = v * 10 + (*(*fmt)++ - '0');
	return v;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		struct spec sp = { 0, 0, -1 };
		int lng = 0; /* 0 int, 1 long, 2 long long, -1 short, -2 char */
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-') sp.flags |= F_LEFT;
			else if (*fmt == '0') sp.flags |= F_ZERO;
			else if (*fmt == '+') sp.flags |= F_PLUS;
			else if (*fmt == ' ') sp.flags |= F_SPACE;
			else if (*fmt == '#') sp.flags |= F_ALT;
			else break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.flags |= F_LEFT;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			sp.width = parse_int(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			} else {
				sp.prec = parse_int(&fmt);
			}
		}
		for (;; fmt++) {
			if (*fmt == 'l') lng = lng >= 1 ? 2 : 1;
			else if (*fmt == 'h') lng = lng <= -1 ? -2 : -1;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') lng = 2;
			else break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng >= 1)
				s = lng == 2 ? va_arg(ap, long long) : va_arg(ap, long);
			else
				s = va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng == -2)
				s = (signed char)s;
			put_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0,
				true, 10, false, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng >= 1)
				u = lng == 2 ? va_arg(ap, unsigned long long)
					     : va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng == -2)
				u = (unsigned char)u;
			put_num(&o, u, false, false,
				*fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				*fmt == 'X', &sp);
			break;
		case 'p':
			sp.flags |= F_ALT;
			put_num(&o, (uintptr_t)va_arg(ap, void *), false, false,
				16, false, &sp);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };

			sp.prec = 1;
			put_str(&o, c, &sp);
			break;
		}
		case 's':
			put_str(&o, va_arg(ap, const char *), &sp);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* lone '%' at the end: print nothing more */
			break;
		default: /* unknown conversion: show it rather than guess */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
