/* plugin.h: the drivers of a tool (e.g. cloudctl-vm's libvirt driver) are shared
 * objects loaded when a verb runs. Linked into the executable, libvirt (and the
 * libraries it pulls in) would be mapped on every start, --help included (README's
 * measured table says what that costs).
 *
 * A plugin NAME is the file NAME.so in $CLOUDCTL_PLUGIN_DIR, or else in
 * ../lib/cloudctl/ next to the executable (build/bin -> build/lib/cloudctl,
 * PREFIX/bin -> PREFIX/lib/cloudctl). It exports int cmd_<verb>(int argc, char **argv)
 * and uses libcommon from the executable, which exports its symbols (-rdynamic). */
#ifndef CLOUDCTL_PLUGIN_H
#define CLOUDCTL_PLUGIN_H

/* Run cmd_<verb> of plugin NAME; returns its exit code, or 69 when it cannot be loaded. */
int plugin_run(const char *name, const char *verb, int argc, char **argv);

#endif
