# secret-wipe: a credential is forgotten one way, through lib/secret.h (secret_free,
# secret_wipe, secret_sb_release). Anything else in lib/ or cmd/ fails here:
# explicit_bzero outside lib/secret.c, memset(..., 0, strlen(...)) or
# memset(x.buf, 0, x.len) (a dead store before free that the compiler may drop),
# a volatile wiping loop, or a plain free() of something named *password,
# *passphrase, *token, *secret or *auth_header. And a strbuf that holds a
# credential (released by secret_sb_release) starts from STRBUF_SECRET_INIT,
# so that growing it leaves no copy behind.
. "$(dirname "$0")/lib.sh"
SRC=${CLOUDCTL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

PATTERN='explicit_bzero|volatile char|memset\([^;]*, *0, *(strlen\(|[^;]*\.len\))|\bfree\([^()]*\b[a-z_]*(password|passphrase|token|secret|auth_header)\)'

# scan DIR...: the offending lines, FILE:LINE: text, one a line
scan() {
	grep -rnE --include='*.c' --include='*.h' "$PATTERN" "$@" | grep -vE '(^|/)lib/secret\.[ch]:'
}

# plain_secret_sb DIR...: "FILE: NAME" for each strbuf released by secret_sb_release
# but started from STRBUF_INIT in that file (its old blocks would not be wiped)
plain_secret_sb() {
	grep -rnoE --include='*.c' 'secret_sb_release\(&[a-z_]+\)' "$@" | grep -vE '(^|/)lib/secret\.c:' |
		while IFS=: read -r file _ call; do
			name=${call#'secret_sb_release(&'}
			name=${name%')'}
			if grep -qE "\b$name = STRBUF_INIT\b" "$file"; then echo "$file: $name"; fi
		done | sort -u
}

# The scan finds each way it forbids (so that a clean tree means something).
mkdir -p "$T/tree/lib" "$T/tree/cmd/x"
cat > "$T/tree/cmd/x/bad.c" <<'C'
explicit_bzero(p, n);
memset(c->password, 0, strlen(c->password));
memset(out.buf, 0, out.len);
volatile char *q = s;
free(c->appcred_secret);
free(u->password);
free(tok->token);
free(s->tokens);
memset(c, 0, sizeof *c);
C
printf 'void secret_wipe(void *p, size_t n) { explicit_bzero(p, n); }\n' > "$T/tree/lib/secret.c"
run scan "$T/tree/lib" "$T/tree/cmd"
sed -i "s|^$T/tree/||" "$T/out"
expect "secret-wipe: the scan finds every forbidden way, and only those" 0 "cmd/x/bad.c:1:explicit_bzero(p, n);
cmd/x/bad.c:2:memset(c->password, 0, strlen(c->password));
cmd/x/bad.c:3:memset(out.buf, 0, out.len);
cmd/x/bad.c:4:volatile char *q = s;
cmd/x/bad.c:5:free(c->appcred_secret);
cmd/x/bad.c:6:free(u->password);
cmd/x/bad.c:7:free(tok->token);"

cat > "$T/tree/cmd/x/grow.c" <<'C'
struct strbuf url = STRBUF_INIT, form = STRBUF_INIT, key = STRBUF_SECRET_INIT;
secret_sb_release(&form);
secret_sb_release(&key);
sb_release(&url);
C
run plain_secret_sb "$T/tree/cmd"
sed -i "s|^$T/tree/||" "$T/out"
expect "secret-wipe: the growth scan finds a secret strbuf started from STRBUF_INIT" 0 "cmd/x/grow.c: form"

cd "$SRC" || exit 1
run plain_secret_sb lib cmd
expect "secret-wipe: every strbuf released by secret_sb_release starts from STRBUF_SECRET_INIT" 0 ""
run scan lib cmd
expect "secret-wipe: lib/ and cmd/ free credentials only through lib/secret.h" 1 ""
assert "secret-wipe: lib/secret.c wipes with explicit_bzero" grep -q 'explicit_bzero(p, n)' lib/secret.c
