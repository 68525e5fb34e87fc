/* options.c: the option variables of the API verbs. They live in the executable,
 * whose option tables point at them; the API plugin (cloudctl-k8s-api.so, which
 * brings libcurl and libyaml) reads them when a verb runs. */
#include "k8s.h"

const char *k_kubeconfig, *k_context, *k_namespace, *k_timeout;
const char *a_file, *g_selector, *w_for;
int g_all_namespaces, t_wait;
struct kube_apply_opts a_apply, t_apply;
