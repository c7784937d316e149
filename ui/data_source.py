"""Which table the design trains on: the dataset picker, and a learner's own CSV file.

The dataset is part of the design (its ``dataset`` field); the picker sends
:func:`designer.edits.set_dataset`. A CSV file's bytes are data, not design:
the session keeps them under :data:`CSV` (at most 1 MB, plain bytes), and the
design records only the columns it uses, so a share link carries no one's
data. Opening a CSV design without its file asks for one with those columns.
"""

from __future__ import annotations

import streamlit as st

from designer import datasets, edits, exercises, presets
from ui import session
from ui.session import Edit
from ui.text import plain

CSV = "csv_file"  # the session's uploaded file: {"name": str, "data": bytes}
ROLES = "csv_roles"  # the roles the learner last chose, by column (the widget's own state)
UPLOADER = "csv_upload"


@st.cache_data(max_entries=32, show_spinner=False)
def _read(data: bytes):
    from designer import csv_table  # pandas: only once a file is in play, so the Design page stays light

    return csv_table.read(data)


def frame_for(design: dict):
    """The uploaded table (a pandas DataFrame) when ``design`` trains on a CSV file and one is loaded, else None."""
    kept = st.session_state.get(CSV)
    if datasets.name_of(design) != datasets.CSV or kept is None:
        return None
    from designer import csv_table

    try:
        return _read(kept["data"])
    except csv_table.CsvError:
        return None


def prepared(design: dict):
    """The design's data (:func:`designer.data.prepare`), with the session's CSV file for a CSV design."""
    from designer import data

    return data.prepare(design, frame_for(design))


def prepared_if_fits(design: dict):
    """:func:`prepared`, or None when a CSV design's file is not loaded or no longer fits it: a run stays on the
    Train page after the learner uploads another file (:func:`file_wanted` says what to do)."""
    from designer import data

    try:
        return prepared(design)
    except data.DataError:
        return None


def missing_file(design: dict) -> str | None:
    """For a CSV design whose file is not loaded (or does not fit it), what to do before it can train; else None."""
    if datasets.name_of(design) != datasets.CSV:
        return None
    from designer import csv_table

    table, frame = datasets.of(design), frame_for(design)
    try:
        if frame is not None:
            csv_table.conform(frame, table)
    except csv_table.CsvError:
        frame = None
    if frame is None:
        return (
            f"This design trains on a CSV file ({table.file}) that a link cannot carry: upload a file with the "
            f"columns {', '.join(table.names)} on the Design page (under Dataset), then train."
        )
    return None


def file_wanted(design: dict) -> str:
    """What a run of a CSV design whose file is gone needs, in words."""
    table = datasets.of(design)
    return (
        f"This run trained on {table.file}, which is not the file loaded now: upload it again on the Design page "
        "to see the rows it used, how it compares with a plain model, its maps, and to download the model."
    )


def _switch(design: dict, name: str) -> dict:
    return edits.set_dataset(design, name, presets.for_dataset(name).load())


def picker(design: dict) -> None:
    """The dataset picker, then (for a CSV design, or when the learner opens it) the CSV panel."""
    table = datasets.of(design)
    options = list(datasets.BUILT_IN) + ([datasets.CSV] if table.name == datasets.CSV else [])
    titles = {name: t.title for name, t in datasets.BUILT_IN.items()} | {datasets.CSV: f"Your file: {table.file}"}
    locked = exercises.FIELD in design
    st.selectbox(
        "Dataset",
        options,
        format_func=titles.get,
        disabled=locked,
        help="This design is an exercise: its dataset is part of it" if locked else table.about or None,
        **session.bind("dataset", "name", table.name, Edit(_switch)),
    )
    for problem in session.rejected("dataset"):
        st.error(plain(problem.on_page), icon=":material/error:")
    if table.name == datasets.CSV:
        _csv_status(design, table)
    elif not locked:
        with st.expander("Use your own CSV file", key="csv-panel", on_change="rerun") as panel:
            if panel.open:
                upload_panel(design)


def _csv_status(design: dict, table: datasets.Table) -> None:
    """For a CSV design: which file is loaded, or a request for one with the design's columns."""
    kept = st.session_state.get(CSV)
    if kept is None:
        st.info(
            plain(
                f"This design trains on a CSV file ({table.file}) that a link cannot carry. Upload a file with "
                f"the columns {', '.join(table.names)}."
            ),
            icon=":material/upload_file:",
        )
    with st.expander("The CSV file", expanded=kept is None):
        upload_panel(design)


def upload_panel(design: dict) -> None:
    """The file uploader, the first rows, and a role for each column; the button makes the design."""
    from designer import csv_table

    upload = st.file_uploader("A CSV file (at most 1 MB, 50 columns, 10,000 rows)", type=["csv", "txt"], key=UPLOADER)
    if upload is not None:
        data = upload.getvalue()
        try:
            _read(data)
        except csv_table.CsvError as error:
            st.error(plain(f"{upload.name}: {error}"), icon=":material/error:")
            return
        st.session_state[CSV] = {"name": upload.name, "data": data}
    kept = st.session_state.get(CSV)
    if kept is None:
        return
    frame = _read(kept["data"])
    table = datasets.of(design)
    if table.name == datasets.CSV:
        try:
            csv_table.conform(frame, table)
        except csv_table.CsvError as error:
            st.error(plain(f"{kept['name']} does not fit this design: {error}"), icon=":material/error:")
            return
        rows = csv_table.complete_rows(frame, table.names)
        note = f"{kept['name']}: {len(frame):,} rows, with the columns the design needs"
        if rows < len(frame):
            note += f"; it trains on the {rows:,} that have a value in each ({len(frame) - rows:,} left out)"
        st.success(plain(note + "."), icon=":material/check:")
        return
    _roles(design, kept["name"], frame)


def _roles(design: dict, name: str, frame) -> None:
    from designer import csv_table

    st.caption(plain(f"{name}: {len(frame):,} rows, {len(frame.columns)} columns.") + " The first rows:")
    st.dataframe(frame.head(csv_table.PREVIEW_ROWS), hide_index=True)
    summaries = csv_table.summaries(frame)
    with st.form("csv-roles", border=False):
        roles = {
            s.name: st.selectbox(
                plain(f"{s.name} ({s.describe()})"),
                csv_table.ROLES,
                index=csv_table.ROLES.index(s.role),
                key=f"role:{s.name}",
            )
            for s in summaries
        }
        if st.form_submit_button("Train on these columns", icon=":material/table_chart:"):
            try:
                block, inputs, targets = csv_table.columns_for(frame, roles, name)
            except csv_table.CsvError as error:
                st.error(plain(str(error)), icon=":material/error:")
                return
            session.commit(edits.csv_design(design, block, inputs, targets), "dataset")
            st.rerun()
