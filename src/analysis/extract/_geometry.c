/* Optional accelerator for analysis.extract.segment: the per-line work of reading a page.
 *
 * page_line_objects(funcs, textpage, text, ...) reads every line of a page: one per match
 *   of segment._LINE in text (the page text, one character per PDFium char index): (fa,
 *   end) the span of the line's text (group 1), hyphen whether a hyphen marker ends it
 *   (group 2), the geometry described below for (fa, end - 1, mid) with mid
 *   segment._segments' middle character, and whether it is a marker candidate
 *   (segment._MARKER_CANDIDATE.search(text, fa, end) matches); see its own comment below. Whitespace is Python's
 *   str.isspace (re's \s) and a digit re's \d (str.isdecimal), so results are those of the
 *   regexes for any text; split(text) and has_marker_candidate(text, fa, end) expose the two
 *   for tests (tests/test_geometry_ext.py compares them with the regexes).
 *
 *   funcs     tuple of five ints, the addresses of PDFium's FPDFText_GetCharBox,
 *             FPDFText_GetFontSize, FPDFText_GetCharOrigin, FPDFText_GetFontInfo and
 *             FPDFText_GetFontWeight (taken from pypdfium2's ctypes bindings: this module
 *             neither links against PDFium nor includes its headers);
 *   textpage  the FPDF_TEXTPAGE address (int);
 *   text      the page text (str).
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
#include <structmember.h>

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


/* The five PDFium functions and the per-page state shared by both entry points. */
typedef struct {
    GetCharBox_t char_box;
    GetFontSize_t font_size;
    GetCharOrigin_t char_origin;
    Page pg;
    double d[4]; /* the four out-parameters, shared by box and origin calls as in _PageReader._d */
} Reader;

static int reader_init(Reader *r, PyObject *funcs, PyObject *tp_obj) {
    if (PyTuple_GET_SIZE(funcs) != 5) {
        PyErr_SetString(PyExc_ValueError,
                        "funcs must be the addresses of FPDFText_GetCharBox, GetFontSize, "
                        "GetCharOrigin, GetFontInfo, GetFontWeight (5 ints)");
        return -1;
    }
    void *addr[5];
    for (int k = 0; k < 5; k++) {
        addr[k] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(funcs, k));
        if (addr[k] == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "funcs[%d] is a null function address", k);
            return -1;
        }
    }
    memset(r, 0, sizeof(*r));
    r->char_box = (GetCharBox_t)addr[0];
    r->font_size = (GetFontSize_t)addr[1];
    r->char_origin = (GetCharOrigin_t)addr[2];
    r->pg.font_info = (GetFontInfo_t)addr[3];
    r->pg.font_weight = (GetFontWeight_t)addr[4];
    r->pg.tp = PyLong_AsVoidPtr(tp_obj);
    if (r->pg.tp == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "textpage is a null address");
        return -1;
    }
    return 0;
}

typedef struct {
    double x0, x1, y, fs;
    int bold;
} Geom;

/* The geometry of one line from its first (fa), last (lb) and middle (mid) character. */
static void read_geom(Reader *r, int fa, int lb, int mid, Geom *g) {
    void *tp = r->pg.tp;
    double *d = r->d;
    r->char_box(tp, fa, &d[0], &d[1], &d[2], &d[3]);
    g->x0 = d[0];
    if (lb != fa) r->char_box(tp, lb, &d[0], &d[1], &d[2], &d[3]);
    g->x1 = d[1];
    g->fs = r->font_size(tp, mid);
    int at = (fa != mid && r->font_size(tp, fa) < 0.8 * g->fs) ? mid : fa;
    r->char_origin(tp, at, &d[0], &d[1]);
    g->y = d[1];
    g->bold = is_bold(&r->pg, mid) && (fa == mid || is_bold(&r->pg, fa));
}

/* segment._LINE's character classes. "Space" is Python's str.isspace (= re's \s on str). */
#define IS_MARK(c) ((c) == 0xFFFE || (c) == 0x02)
#define IS_BREAK(c) ((c) == '\r' || (c) == '\n' || IS_MARK(c))
#define IS_CONTENT(c) (!Py_UNICODE_ISSPACE(c) && !IS_MARK(c))
/* re's \d on str patterns: Unicode decimal digits (category Nd), i.e. str.isdecimal. */
#define IS_DIGIT(c) Py_UNICODE_ISDECIMAL(c)

/* Does segment._MARKER_CANDIDATE, r"\d(?<=[^\s\d]\d)\d{0,2}(?!\d)", search(text, fa, end)
 * find a match? A match is a digit run of 1-3 digits (cut at end) starting at i in
 * [fa, end) whose preceding character (which may lie before fa: the look-behind sees the
 * whole string) is neither space nor digit. */
static int marker_candidate(int kind, const void *data, Py_ssize_t fa, Py_ssize_t end) {
    Py_ssize_t i = fa;
    while (i < end) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!IS_DIGIT(c)) {
            i++;
            continue;
        }
        Py_ssize_t run = i + 1;
        while (run < end && IS_DIGIT(PyUnicode_READ(kind, data, run))) run++;
        if (i >= 1 && run - i <= 3) {
            Py_UCS4 p = PyUnicode_READ(kind, data, i - 1);
            if (!Py_UNICODE_ISSPACE(p) && !IS_DIGIT(p)) return 1;
        }
        i = run;
    }
    return 0;
}

/* The lines of a page text, as segment._LINE.finditer(text) finds them: for each line the
 * span (fa, end) of group 1 (first to last character that is neither space nor a hyphen
 * marker, between two CR/LF/markers) and whether a marker (group 2) ends it. Calls
 * emit(fa, end, hyphen) per line; stops (returning -1) when emit does. */
typedef int (*emit_t)(void *ctx, Py_ssize_t fa, Py_ssize_t end, int hyphen);

static int split_lines(PyObject *text, emit_t emit, void *ctx) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t i = 0;
    while (i < n) {
        /* group 1 starts at the next content character */
        while (i < n && !IS_CONTENT(PyUnicode_READ(kind, data, i))) i++;
        if (i >= n) break;
        Py_ssize_t fa = i, end = i + 1;
        /* runs to the next CR/LF/marker; ends after its last content character */
        for (i = fa + 1; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (IS_BREAK(c)) break;
            if (!Py_UNICODE_ISSPACE(c)) end = i + 1;
        }
        int hyphen = 0;
        if (i < n && IS_MARK(PyUnicode_READ(kind, data, i))) {
            hyphen = 1;
            i++;
        }
        if (emit(ctx, fa, end, hyphen) < 0) return -1;
    }
    return 0;
}

static int emit_span(void *ctx, Py_ssize_t fa, Py_ssize_t end, int hyphen) {
    PyObject *row = Py_BuildValue("(nnO)", fa, end, hyphen ? Py_True : Py_False);
    if (row == NULL) return -1;
    int rc = PyList_Append((PyObject *)ctx, row);
    Py_DECREF(row);
    return rc;
}

static PyObject *split(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "split(text): text must be a str");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    if (split_lines(arg, emit_span, out) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* page_line_objects(funcs, textpage, text, line_type, fields, kind, col, page_no):
 * the lines of a page, built here. For a line that is not a marker candidate, a
 * line_type (segment.Line, a slots dataclass) is allocated and its fields set in their
 * slots, as Line(page_no, text[fa:end], x0, x1, y, fs, bold, hyphen, [], kind, col) would
 * (fields: the member descriptors of the 11 fields in that order; kind and col: their
 * defaults); a candidate gets None in the list and (index, fa, end, hyphen, x0, x1, y,
 * fs, bold) in the second list, for Python to take its markers. */
#define N_FIELDS 11 /* segment.Line: page text x0 x1 y fs bold hyphen refs kind col */

typedef struct {
    Reader *r;
    PyObject *text;
    PyTypeObject *line_type;
    Py_ssize_t offsets[N_FIELDS]; /* where each field's slot lies in a Line */
    PyObject *kind;               /* the defaults of the last two fields */
    PyObject *col;
    PyObject *page_no;
    PyObject *lines;
    PyObject *cands;
} ObjCtx;

/* A Line with its fields set straight into its slots: what the dataclass __init__ does
 * (self.page = page, ...), without running Python code. Steals the references in v. */
static PyObject *make_line(ObjCtx *ctx, PyObject **v) {
    PyObject *line = ctx->line_type->tp_alloc(ctx->line_type, 0);
    for (int k = 0; k < N_FIELDS; k++) {
        if (line == NULL) {
            Py_XDECREF(v[k]);
            continue;
        }
        *(PyObject **)((char *)line + ctx->offsets[k]) = v[k];
    }
    return line;
}

/* The slot offsets of the fields, from their member descriptors (a tuple of N_FIELDS). */
static int slot_offsets(PyObject *descrs, Py_ssize_t *offsets) {
    if (!PyTuple_Check(descrs) || PyTuple_GET_SIZE(descrs) != N_FIELDS) {
        PyErr_SetString(PyExc_ValueError, "fields: a tuple of the 11 member descriptors of Line");
        return -1;
    }
    for (int k = 0; k < N_FIELDS; k++) {
        PyObject *d = PyTuple_GET_ITEM(descrs, k);
        if (!Py_IS_TYPE(d, &PyMemberDescr_Type) ||
            ((PyMemberDescrObject *)d)->d_member->type != T_OBJECT_EX) {
            PyErr_Format(PyExc_TypeError, "fields[%d] is not a slot (member descriptor)", k);
            return -1;
        }
        offsets[k] = ((PyMemberDescrObject *)d)->d_member->offset;
    }
    return 0;
}

static int emit_object(void *vctx, Py_ssize_t fa, Py_ssize_t end, int hyphen) {
    ObjCtx *ctx = (ObjCtx *)vctx;
    int kind = PyUnicode_KIND(ctx->text);
    const void *data = PyUnicode_DATA(ctx->text);
    if (end > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "char index does not fit a C int");
        return -1;
    }
    Py_ssize_t lb = end - 1;
    Py_ssize_t mid = (fa + lb) / 2;
    while (mid < lb && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, mid))) mid++;
    Geom g;
    read_geom(ctx->r, (int)fa, (int)lb, (int)mid, &g);
    PyObject *bold = g.bold ? Py_True : Py_False;
    PyObject *hy = hyphen ? Py_True : Py_False;
    if (marker_candidate(kind, data, fa, end)) {
        PyObject *row = Py_BuildValue("(nnnOddddO)", PyList_GET_SIZE(ctx->lines), fa, end, hy,
                                      g.x0, g.x1, g.y, g.fs, bold);
        if (row == NULL) return -1;
        int rc = PyList_Append(ctx->cands, row);
        Py_DECREF(row);
        if (rc < 0) return -1;
        return PyList_Append(ctx->lines, Py_None);
    }
    PyObject *v[N_FIELDS] = {
        Py_NewRef(ctx->page_no),
        PyUnicode_Substring(ctx->text, fa, end),
        PyFloat_FromDouble(g.x0),
        PyFloat_FromDouble(g.x1),
        PyFloat_FromDouble(g.y),
        PyFloat_FromDouble(g.fs),
        Py_NewRef(bold),
        Py_NewRef(hy),
        PyList_New(0),
        Py_NewRef(ctx->kind),
        Py_NewRef(ctx->col),
    };
    for (int k = 0; k < N_FIELDS; k++) {
        if (v[k] == NULL) {
            for (int j = 0; j < N_FIELDS; j++) Py_XDECREF(v[j]);
            return -1;
        }
    }
    PyObject *line = make_line(ctx, v);
    if (line == NULL) return -1;
    int rc = PyList_Append(ctx->lines, line);
    Py_DECREF(line);
    return rc;
}

static PyObject *page_line_objects(PyObject *self, PyObject *args) {
    PyObject *funcs, *tp_obj, *text, *line_type, *fields, *kind, *col, *page_no;
    if (!PyArg_ParseTuple(args, "O!OUO!O!OOO!:page_line_objects", &PyTuple_Type, &funcs,
                          &tp_obj, &text, &PyType_Type, &line_type, &PyTuple_Type, &fields,
                          &kind, &col, &PyLong_Type, &page_no))
        return NULL;
    Reader r;
    if (reader_init(&r, funcs, tp_obj) < 0) return NULL;
    ObjCtx ctx;
    ctx.r = &r;
    ctx.text = text;
    ctx.line_type = (PyTypeObject *)line_type;
    if (slot_offsets(fields, ctx.offsets) < 0) return NULL;
    ctx.kind = kind;
    ctx.col = col;
    ctx.page_no = page_no;
    ctx.lines = PyList_New(0);
    ctx.cands = PyList_New(0);
    if (ctx.lines == NULL || ctx.cands == NULL || split_lines(text, emit_object, &ctx) < 0) {
        Py_XDECREF(ctx.lines);
        Py_XDECREF(ctx.cands);
        return NULL;
    }
    PyObject *out = PyTuple_Pack(2, ctx.lines, ctx.cands);
    Py_DECREF(ctx.lines);
    Py_DECREF(ctx.cands);
    return out;
}

/* needs_normalize(lines) -> indices of the lines whose text normalize() could change: all
 * but printable ASCII that is stripped, single-spaced and free of "(cid:" (the test
 * pdf.read_lines makes before calling clean.normalize). */
static PyObject *needs_normalize(PyObject *self, PyObject *lines) {
    if (!PyList_Check(lines)) {
        PyErr_SetString(PyExc_TypeError, "needs_normalize(lines): lines must be a list");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    static PyObject *name = NULL;
    if (name == NULL && (name = PyUnicode_InternFromString("text")) == NULL) goto fail;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(lines); k++) {
        PyObject *t = PyObject_GetAttr(PyList_GET_ITEM(lines, k), name);
        if (t == NULL) goto fail;
        int clean = 0;
        if (PyUnicode_Check(t) && PyUnicode_IS_ASCII(t)) {
            Py_ssize_t n = PyUnicode_GET_LENGTH(t);
            const Py_UCS1 *c = PyUnicode_1BYTE_DATA(t);
            clean = n > 0 && c[0] != ' ' && c[n - 1] != ' ';
            for (Py_ssize_t i = 0; clean && i < n; i++) {
                if (c[i] < 0x20 || c[i] == 0x7F) clean = 0;  /* str.isprintable on ASCII */
                else if (c[i] == ' ' && i + 1 < n && c[i + 1] == ' ') clean = 0;
                else if (c[i] == '(' && i + 5 <= n && memcmp(c + i, "(cid:", 5) == 0) clean = 0;
            }
        }
        Py_DECREF(t);
        if (!clean) {
            PyObject *idx = PyLong_FromSsize_t(k);
            if (idx == NULL || PyList_Append(out, idx) < 0) {
                Py_XDECREF(idx);
                goto fail;
            }
            Py_DECREF(idx);
        }
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyObject *has_marker_candidate(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t fa, end;
    if (!PyArg_ParseTuple(args, "Unn:has_marker_candidate", &text, &fa, &end)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (fa < 0 || end > n || fa > end) {
        PyErr_SetString(PyExc_IndexError, "has_marker_candidate: need 0 <= fa <= end <= len(text)");
        return NULL;
    }
    return PyBool_FromLong(marker_candidate(PyUnicode_KIND(text), PyUnicode_DATA(text), fa, end));
}

static PyMethodDef methods[] = {
    {"page_line_objects", page_line_objects, METH_VARARGS,
     "page_line_objects(funcs, textpage, text, line_type, fields, kind, col, page_no) -> "
     "(lines, candidates): the Lines of a page; see segment._segments_compiled."},
    {"needs_normalize", needs_normalize, METH_O,
     "needs_normalize(lines) -> indices of the lines whose text is not clean printable ASCII "
     "(see pdf.read_lines)."},
    {"split", split, METH_O,
     "split(text) -> list of (fa, end, hyphen): the group-1 spans of segment._LINE.finditer."},
    {"has_marker_candidate", has_marker_candidate, METH_VARARGS,
     "has_marker_candidate(text, fa, end) -> whether segment._MARKER_CANDIDATE.search(text, "
     "fa, end) matches."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "analysis.extract._geometry",
    "Compiled per-line PDFium geometry for analysis.extract.segment (optional).", -1, methods,
};

PyMODINIT_FUNC PyInit__geometry(void) { return PyModule_Create(&module); }
