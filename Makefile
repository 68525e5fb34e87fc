# cloudctl Makefile. Run ./configure first (bootstrap does both).
#   make                 build the tools into build/bin
#   make check           build and run every test (tests/run)
#   make SANITIZE=1 ...  the same with ASan+UBSan, in build-asan/
#   make install         PREFIX=/usr/local DESTDIR=: binaries, man pages, completions
#   make demo            the demo pipeline on the embedded defaults (needs root)
#   make bench           side-by-side benchmarks (bench/)
#   make dist / deb      a source tarball / Debian packages of HEAD (build-dist/, build-deb/)
#   make fuzz            each libFuzzer target for FUZZ_SECONDS (clang, ASan+UBSan, build-fuzz/)

ifeq ($(wildcard config.mk),)
$(error config.mk is missing: run ./configure (or ./bootstrap build))
endif
include config.mk

PREFIX ?= $(prefix)
DESTDIR ?=
# Where the driver plugins are installed. Left empty, a tool looks in ../lib/cloudctl
# beside its own executable (the build tree, make install); a package sets an
# absolute directory (debian/rules: /usr/libexec/cloudctl), compiled in.
PLUGINDIR ?=
ZSHDIR ?= $(PREFIX)/share/zsh/site-functions
ifeq ($(SANITIZE),1)
B ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# ASan's xdr interceptors look up the real functions when the program starts; libtirpc
# (libvirt's RPC) must be loaded by then, not later with the driver plugin, or they
# call through NULL.
SAN_EXE_LIBS = -Wl,--no-as-needed -ltirpc -Wl,--as-needed
else
B ?= build
SANFLAGS =
endif
# make fuzz: the libFuzzer targets, built by clang with ASan+UBSan into build-fuzz/
ifeq ($(FUZZ),1)
SANFLAGS += -fsanitize=fuzzer-no-link
endif

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS = -fPIC -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -iquote lib -DCLOUDCTL_VERSION='"$(VERSION)"' \
	$(if $(PLUGINDIR),-DCLOUDCTL_PLUGINDIR='"$(PLUGINDIR)"') \
	$(CURL_CFLAGS) $(JANSSON_CFLAGS) $(VIRT_CFLAGS) $(XML_CFLAGS) $(YAML_CFLAGS) $(GIT2_CFLAGS) $(OPENSSL_CFLAGS) $(ZLIB_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# libcommon is linked whole into every executable, which exports it (-rdynamic)
# to the driver plugins it loads; the HTTP layer is apart. Nothing links libcurl:
# the HTTP layer loads it with its first request (lib/curlapi.h says why).
YAMLREAD_SRC = lib/yamlread.c lib/yamledit.c
HTTP_SRC = lib/http.c lib/curlapi.c
COMMON_SRC = $(filter-out $(HTTP_SRC) $(YAMLREAD_SRC),$(wildcard lib/*.c))
# The Kubernetes client; the YAML reader and editor (libyaml) apart, for every tool that reads YAML.
KUBE_SRC = $(wildcard lib/kube/*.c)
# OCI images and registries (cloudctl-build); git through libgit2 (build, deploy).
OCI_SRC = $(wildcard lib/oci/*.c)
GIT_SRC = $(wildcard lib/git/*.c)
# OpenStack: clouds.yaml, Keystone tokens, the service catalog.
OPENSTACK_SRC = $(wildcard lib/openstack/*.c)
VIRT_SRC = $(wildcard lib/virt/*.c)
# The directory tells the binary: cmd/TOOL/*.c is the executable (its option
# tables, exported with -rdynamic), cmd/TOOL/PLUGIN/*.c the plugin
# lib/cloudctl/TOOL-PLUGIN.so that it loads when a verb runs.
VM_EXE_SRC = $(wildcard cmd/cloudctl-vm/*.c)
VM_PLUGIN_SRC = $(wildcard cmd/cloudctl-vm/libvirt/*.c)
# The OpenStack driver of cloudctl-vm (--driver openstack): no libvirt in it.
VM_OS_SRC = $(wildcard cmd/cloudctl-vm/openstack/*.c)
# cloudctl-net: the executable holds the option tables; Neutron and libvirt networks are plugins.
NET_EXE_SRC = $(wildcard cmd/cloudctl-net/*.c)
NET_OS_SRC = $(wildcard cmd/cloudctl-net/openstack/*.c)
NET_VIRT_SRC = $(wildcard cmd/cloudctl-net/libvirt/*.c)
REPORT_SRC = $(wildcard cmd/cloudctl-report/*.c)
K8S_EXE_SRC = $(wildcard cmd/cloudctl-k8s/*.c)
K8S_PLUGIN_SRC = $(wildcard cmd/cloudctl-k8s/api/*.c)
BUILD_SRC = $(wildcard cmd/cloudctl-build/*.c)
DEPLOY_SRC = $(wildcard cmd/cloudctl-deploy/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(B)/%.o,$(1))
COMMON_A = $(B)/lib/libcommon.a
HTTP_A = $(B)/lib/libhttp.a
KUBE_A = $(B)/lib/kube/libkube.a
YAMLREAD_A = $(B)/lib/libyamlread.a
VIRT_A = $(B)/lib/virt/libvirtclient.a
OCI_A = $(B)/lib/oci/liboci.a
GIT_A = $(B)/lib/git/libgitx.a
OPENSTACK_A = $(B)/lib/openstack/libopenstack.a
TOOLS = $(B)/bin/cloudctl-vm $(B)/bin/cloudctl-report $(B)/bin/cloudctl-k8s $(if $(BUILD_SRC),$(B)/bin/cloudctl-build) \
	$(if $(DEPLOY_SRC),$(B)/bin/cloudctl-deploy) $(if $(NET_EXE_SRC),$(B)/bin/cloudctl-net)
PLUGINS = $(B)/lib/cloudctl/cloudctl-vm-libvirt.so $(B)/lib/cloudctl/cloudctl-k8s-api.so \
	$(if $(VM_OS_SRC),$(B)/lib/cloudctl/cloudctl-vm-openstack.so) \
	$(if $(NET_OS_SRC),$(B)/lib/cloudctl/cloudctl-net-openstack.so) \
	$(if $(NET_VIRT_SRC),$(B)/lib/cloudctl/cloudctl-net-libvirt.so)
UNITS = $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
EXE_LIBS = $(JANSSON_LIBS) -ldl -lm $(SAN_EXE_LIBS)
WHOLE = -Wl,--whole-archive $(COMMON_A) -Wl,--no-whole-archive
# The tools on libgit2 export lib/git/compat_stat.c's stat(), so that libgit2's
# start does not parse the system's CA bundle (compat_stat.c says why).
GIT_EXPORTS = -Wl,--export-dynamic-symbol=stat

all: $(TOOLS) $(PLUGINS) $(UNITS)

tools: $(TOOLS) $(PLUGINS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(COMMON_A): $(call obj,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(HTTP_A): $(call obj,$(HTTP_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(KUBE_A): $(call obj,$(KUBE_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(YAMLREAD_A): $(call obj,$(wildcard $(YAMLREAD_SRC)))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(OCI_A): $(call obj,$(OCI_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(GIT_A): $(call obj,$(GIT_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(OPENSTACK_A): $(call obj,$(OPENSTACK_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(VIRT_A): $(call obj,$(VIRT_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/cloudctl-vm: $(call obj,$(VM_EXE_SRC)) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -rdynamic -o $@ $(call obj,$(VM_EXE_SRC)) $(WHOLE) $(EXE_LIBS)

# cloudctl-report needs no libvirt; its HTTP layer (libcurl) only for --push.
$(B)/bin/cloudctl-report: $(call obj,$(REPORT_SRC)) $(HTTP_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(call obj,$(REPORT_SRC)) $(HTTP_A) $(WHOLE) $(EXE_LIBS) -lpthread

$(B)/bin/cloudctl-k8s: $(call obj,$(K8S_EXE_SRC)) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -rdynamic -o $@ $(call obj,$(K8S_EXE_SRC)) $(WHOLE) $(EXE_LIBS)

# The API verbs of cloudctl-k8s: libyaml loads only when one runs (and libcurl with its first request).
$(B)/lib/cloudctl/cloudctl-k8s-api.so: $(call obj,$(K8S_PLUGIN_SRC)) $(KUBE_A) $(YAMLREAD_A) $(HTTP_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ $(YAML_LIBS)

$(B)/bin/cloudctl-build: $(call obj,$(BUILD_SRC)) $(OCI_A) $(GIT_A) $(HTTP_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $(GIT_EXPORTS) -o $@ $(call obj,$(BUILD_SRC)) $(OCI_A) $(GIT_A) $(HTTP_A) $(WHOLE) \
		$(GIT2_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS) $(EXE_LIBS) -lpthread

$(B)/bin/cloudctl-deploy: $(call obj,$(DEPLOY_SRC)) $(GIT_A) $(YAMLREAD_A) $(HTTP_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $(GIT_EXPORTS) -o $@ $(call obj,$(DEPLOY_SRC)) $(GIT_A) $(YAMLREAD_A) $(HTTP_A) $(WHOLE) \
		$(GIT2_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS) $(EXE_LIBS) -lpthread

# The libvirt driver: libvirt and libxml2 are loaded only when a verb runs.
$(B)/lib/cloudctl/cloudctl-vm-libvirt.so: $(call obj,$(VM_PLUGIN_SRC)) $(VIRT_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ $(VIRT_LIBS) $(XML_LIBS)

# OpenStack drivers: the HTTP layer and jansson, no libvirt.
$(B)/lib/cloudctl/cloudctl-vm-openstack.so: $(call obj,$(VM_OS_SRC)) $(OPENSTACK_A) $(YAMLREAD_A) $(HTTP_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ $(YAML_LIBS) -lpthread

$(B)/bin/cloudctl-net: $(call obj,$(NET_EXE_SRC)) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -rdynamic -o $@ $(call obj,$(NET_EXE_SRC)) $(WHOLE) $(EXE_LIBS)

$(B)/lib/cloudctl/cloudctl-net-openstack.so: $(call obj,$(NET_OS_SRC)) $(OPENSTACK_A) $(YAMLREAD_A) $(HTTP_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ $(YAML_LIBS) -lpthread

$(B)/lib/cloudctl/cloudctl-net-libvirt.so: $(call obj,$(NET_VIRT_SRC)) $(VIRT_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ $(VIRT_LIBS) $(XML_LIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(KUBE_A) $(OPENSTACK_A) $(OCI_A) $(GIT_A) $(YAMLREAD_A) $(VIRT_A) $(HTTP_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VIRT_LIBS) $(XML_LIBS) $(YAML_LIBS) $(GIT2_LIBS) $(OPENSSL_LIBS) \
		$(ZLIB_LIBS) $(EXE_LIBS) -lpthread

# libFuzzer targets, one per parser of outside input (tests/fuzz/README); the
# helpers they share are no targets.
FUZZ_HELPER_SRC = tests/fuzz/fuzz_common.c tests/fuzz/fuzz_http.c tests/fuzz/fuzz_os.c
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(filter-out $(FUZZ_HELPER_SRC),$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 60

fuzz-build:
	$(MAKE) B=build-fuzz CC=clang SANITIZE=1 FUZZ=1 fuzz-targets

fuzz-targets: $(FUZZ_TARGETS)

# fuzz_http.o stands in for libcurl (tests/fuzz/fuzz_http.h): libcurl itself is
# linked only for its URL functions.
FUZZ_HELPERS = $(B)/tests/fuzz/fuzz_common.o $(B)/tests/fuzz/fuzz_http.o

$(B)/fuzz/%: $(B)/tests/fuzz/%.o $(FUZZ_HELPERS) $(KUBE_A) $(OPENSTACK_A) $(OCI_A) $(GIT_A) $(YAMLREAD_A) \
		$(HTTP_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(filter %.a,$^) $(YAML_LIBS) $(GIT2_LIBS) \
		$(OPENSSL_LIBS) $(ZLIB_LIBS) $(JANSSON_LIBS) $(CURL_LIBS) -ldl -lm -lpthread

# The targets of OpenStack answers; the list pages' records are made by the
# plugins, so their objects (and the option tables they read) are linked in.
$(B)/fuzz/fuzz_keystone: $(B)/tests/fuzz/fuzz_os.o
$(B)/fuzz/fuzz_oslist: $(B)/tests/fuzz/fuzz_os.o $(call obj,cmd/cloudctl-vm/options.c cmd/cloudctl-vm/openstack/client.c \
	cmd/cloudctl-net/options.c cmd/cloudctl-net/openstack/common.c cmd/cloudctl-net/openstack/kinds.c)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# Completions are generated from the option tables; the committed copies are
# checked against the binaries by tests/cli/completions.sh.
completions: $(TOOLS) $(PLUGINS)
	for t in $(notdir $(TOOLS)); do \
		$(B)/bin/$$t --completion bash > completions/$$t.bash; \
		$(B)/bin/$$t --completion zsh > completions/_$$t; \
		$(B)/bin/$$t --completion fish > completions/$$t.fish; \
	done

check: all
	CLOUDCTL_BUILD=$(B) tests/run

demo: $(TOOLS) $(PLUGINS)
	CLOUDCTL_BUILD=$(B) examples/demo.sh

bench: $(TOOLS) $(PLUGINS)
	CLOUDCTL_BUILD=$(B) bench/vm
	CLOUDCTL_BUILD=$(B) bench/report
	CLOUDCTL_BUILD=$(B) bench/k8s
	CLOUDCTL_BUILD=$(B) bench/build
	CLOUDCTL_BUILD=$(B) bench/deploy
	CLOUDCTL_BUILD=$(B) bench/openstack

INSTALL_PLUGINDIR = $(or $(PLUGINDIR),$(PREFIX)/lib/cloudctl)
install: $(TOOLS) $(PLUGINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(ZSHDIR) \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(INSTALL_PLUGINDIR)
	install -m 644 $(PLUGINS) $(DESTDIR)$(INSTALL_PLUGINDIR)/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	for t in $(notdir $(TOOLS)); do \
		install -m 644 completions/$$t.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$t; \
		install -m 644 completions/_$$t $(DESTDIR)$(ZSHDIR)/_$$t; \
		install -m 644 completions/$$t.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$t.fish; \
	done

# make dist: the committed tree of HEAD as cloudctl-VERSION.tar.gz, with a
# generated configure, so that ./configure && make builds it.
# make deb: the Debian packages (debian/) from that tree, into build-deb/.
GIT_VERSION = $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//; s/-\([0-9]*\)-g/+git\1./' || true)
DIST_VERSION = $(or $(GIT_VERSION),$(VERSION)+git$(shell git rev-list --count HEAD 2>/dev/null).$(shell git rev-parse --short=12 HEAD 2>/dev/null))
dist:
	scripts/dist.sh "$(DIST_VERSION)" build-dist

deb:
	scripts/deb.sh "$(DIST_VERSION)" build-deb

clean:
	rm -rf build build-asan build-fuzz build-dist build-deb

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache

.PHONY: all tools check demo bench install clean distclean completions dist deb fuzz fuzz-build fuzz-targets
