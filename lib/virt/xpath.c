/* virt/xpath.c: see xpath.h. */
#include "virt/xpath.h"

#include "util.h"

char *virt_xpath_str(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	char *s = NULL;
	if (o) {
		xmlChar *v = xmlXPathCastToString(o);
		if (v && *v)
			s = xstrdup((const char *)v);
		xmlFree(v);
		xmlXPathFreeObject(o);
	}
	return s;
}
