/* Optional accelerator for analysis.extract.segment: the per-line PDFium geometry calls.
 *
 * line_geometry(funcs, textpage, spans) -> list of (x0, x1, y, fs, bold), one per span.
 *
 *   funcs     tuple of five ints, the addresses of PDFium's FPDFText_GetCharBox,
 *             FPDFText_GetFontSize, FPDFText_GetCharOrigin, FPDFText_GetFontInfo and
 *             FPDFText_GetFontWeight (taken from pypdfium2's ctypes bindings: this module
 *             neither links against PDFium nor includes its headers);
 *   textpage  the FPDF_TEXTPAGE address (int);
 *   spans     a sequence of (fa, lb, mid) char indices per line: first, last and middle
 *             non-space character.
 *
 * Computes exactly what segment._segments computes in Python (same C calls, in the same
 * order, the same doubles copied, the same out-parameter reuse across lines of one page):
 *   x0   = box(fa).left
 *   x1   = box(lb).right, or box(fa).right when lb == fa
 *   fs   = fontsize(mid)
 *   y    = origin(at).y, at = mid if fa != mid and fontsize(fa) < 0.8 * fs else fa
 *   bold = bold(mid) and (fa == mid or bold(fa)), bold(i) as segment._PageReader.bold:
 *          the font name, lower-cased, contains bold/black/heavy/semibold/demi, or the
 *          weight is >= 600, or font flag bit 19 (ForceBold, 1 << 18) is set.
 *
 * Python decodes the name as latin-1 and lower-cases it; here only ASCII A-Z are
 * lower-cased. Same result: no latin-1 character U+0080-U+00FF lower-cases to an ASCII
 * character (or changes length), and the searched words are ASCII, so a non-ASCII byte can
 * never be part of a match in either version.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

/* Prototypes as in PDFium's public/fpdf_text.h (FPDF_BOOL is int; FPDF_TEXTPAGE a pointer). */
typedef int (*GetCharBox_t)(void *, int, double *, double *, double *, double *);
typedef double (*GetFontSize_t)(void *, int);
typedef int (*GetCharOrigin_t)(void *, int, double *, double *);
typedef unsigned long (*GetFontInfo_t)(void *, int, void *, unsigned long, int *);
typedef int (*GetFontWeight_t)(void *, int);

#define BUF_LEN 128 /* as segment._BUF_LEN */

/* Per-page state, as segment._PageReader keeps it: the font-name buffer and the flags
 * out-parameter are reused (PDFium leaves them untouched when it cannot fill them). */
typedef struct {
    void *tp;
    GetFontInfo_t font_info;
    GetFontWeight_t font_weight;
    char buf[BUF_LEN];
    int flags;
} Page;

static int contains(const char *hay, size_t n, const char *word) {
    size_t m = strlen(word);
    if (m > n) return 0;
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(hay + i, word, m) == 0) return 1;
    }
    return 0;
}

static int is_bold(Page *pg, int i) {
    static const char *words[] = {"bold", "black", "heavy", "semibold", "demi"};
    unsigned long n = pg->font_info(pg->tp, i, pg->buf, (unsigned long)BUF_LEN, &pg->flags);
    int weight = pg->font_weight(pg->tp, i);
    /* Python: buf.raw[:max(n - 1, 0)], a slice of the 128-byte buffer. */
    size_t len = n > 0 ? (size_t)(n - 1) : 0;
    if (len > BUF_LEN) len = BUF_LEN;
    char name[BUF_LEN];
    for (size_t k = 0; k < len; k++) {
        char c = pg->buf[k];
        name[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        if (contains(name, len, words[w])) return 1;
    }
    return weight >= 600 || (pg->flags & (1 << 18)) != 0;
}

static int span_index(PyObject *item, Py_ssize_t k, long *out) {
    PyObject *v = PySequence_Fast_GET_ITEM(item, k);
    long x = PyLong_AsLong(v);
    if (x == -1 && PyErr_Occurred()) return -1;
    if (x < INT_MIN || x > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "char index does not fit a C int");
        return -1;
    }
    *out = x;
    return 0;
}

static PyObject *line_geometry(PyObject *self, PyObject *args) {
    PyObject *funcs, *tp_obj, *spans;
    if (!PyArg_ParseTuple(args, "O!OO:line_geometry", &PyTuple_Type, &funcs, &tp_obj, &spans))
        return NULL;
    if (PyTuple_GET_SIZE(funcs) != 5) {
        PyErr_SetString(PyExc_ValueError,
                        "funcs must be the addresses of FPDFText_GetCharBox, GetFontSize, "
                        "GetCharOrigin, GetFontInfo, GetFontWeight (5 ints)");
        return NULL;
    }
    void *addr[5];
    for (int k = 0; k < 5; k++) {
        addr[k] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(funcs, k));
        if (addr[k] == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "funcs[%d] is a null function address", k);
            return NULL;
        }
    }
    GetCharBox_t char_box = (GetCharBox_t)addr[0];
    GetFontSize_t font_size = (GetFontSize_t)addr[1];
    GetCharOrigin_t char_origin = (GetCharOrigin_t)addr[2];
    Page pg;
    memset(&pg, 0, sizeof(pg));
    pg.font_info = (GetFontInfo_t)addr[3];
    pg.font_weight = (GetFontWeight_t)addr[4];
    pg.tp = PyLong_AsVoidPtr(tp_obj);
    if (pg.tp == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "textpage is a null address");
        return NULL;
    }

    PyObject *seq = PySequence_Fast(spans, "spans must be a sequence of (fa, lb, mid)");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(n);
    if (out == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    /* The four out-parameters, shared by box and origin calls as in _PageReader._d. */
    double d[4] = {0.0, 0.0, 0.0, 0.0};
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *item = PySequence_Fast(PySequence_Fast_GET_ITEM(seq, j),
                                         "each span must be a sequence (fa, lb, mid)");
        if (item == NULL) goto fail;
        long fa, lb, mid;
        if (PySequence_Fast_GET_SIZE(item) != 3) {
            PyErr_Format(PyExc_ValueError, "span %zd: expected (fa, lb, mid)", j);
            Py_DECREF(item);
            goto fail;
        }
        if (span_index(item, 0, &fa) < 0 || span_index(item, 1, &lb) < 0 ||
            span_index(item, 2, &mid) < 0) {
            Py_DECREF(item);
            goto fail;
        }
        Py_DECREF(item);

        char_box(pg.tp, (int)fa, &d[0], &d[1], &d[2], &d[3]);
        double x0 = d[0];
        if (lb != fa) char_box(pg.tp, (int)lb, &d[0], &d[1], &d[2], &d[3]);
        double x1 = d[1];
        double fs = font_size(pg.tp, (int)mid);
        long at = (fa != mid && font_size(pg.tp, (int)fa) < 0.8 * fs) ? mid : fa;
        char_origin(pg.tp, (int)at, &d[0], &d[1]);
        double y = d[1];
        int bold = is_bold(&pg, (int)mid) && (fa == mid || is_bold(&pg, (int)fa));

        PyObject *row = Py_BuildValue("(ddddO)", x0, x1, y, fs, bold ? Py_True : Py_False);
        if (row == NULL) goto fail;
        PyList_SET_ITEM(out, j, row);
    }
    Py_DECREF(seq);
    return out;

fail:
    Py_DECREF(seq);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"line_geometry", line_geometry, METH_VARARGS,
     "line_geometry(funcs, textpage, spans) -> list of (x0, x1, y, fs, bold) per (fa, lb, mid) "
     "span; see analysis.extract.segment._segments."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "analysis.extract._geometry",
    "Compiled per-line PDFium geometry for analysis.extract.segment (optional).", -1, methods,
};

PyMODINIT_FUNC PyInit__geometry(void) { return PyModule_Create(&module); }
