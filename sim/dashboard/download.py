"""A download button that reads its file only when clicked.

Solara's ``FileDownload`` shows its button as a child widget, which the Vue 3 front end
of this Solara version leaves unrendered; this widget draws the button in its own
template and otherwise works the same way (the bytes go to the browser over the
page's websocket and are saved from a ``blob:`` URL, so nothing leaves the machine).
"""

from __future__ import annotations

from collections.abc import Callable

import ipyvuetify as vy
import solara
import traitlets

TEMPLATE = """
<template>
  <v-btn variant="outlined" size="small" class="ma-1 dash-download" :loading="request_download"
         @click="request_download = true" prepend-icon="mdi-download">{{ label }}</v-btn>
</template>
<script>
module.exports = {
  watch: {
    bytes(value) {
      if (this.request_download && value) {
        const a = document.createElement('a');
        a.download = this.filename;
        const url = window.URL.createObjectURL(new Blob([value], {type: this.mime_type}));
        a.href = url;
        document.body.appendChild(a);
        a.click();
        document.body.removeChild(a);
        setTimeout(() => window.URL.revokeObjectURL(url), 1000);
        this.request_download = false;
      }
    }
  }
}
</script>
"""


class DownloadWidget(vy.VuetifyTemplate):
    """The button and the browser side of a download."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    label = traitlets.Unicode().tag(sync=True)
    filename = traitlets.Unicode().tag(sync=True)
    mime_type = traitlets.Unicode("application/octet-stream").tag(sync=True)
    bytes = traitlets.Bytes(None, allow_none=True).tag(sync=True)
    request_download = traitlets.Bool(False).tag(sync=True)


@solara.component
def DownloadButton(data: Callable[[], bytes | str], filename: str, label: str | None = None,
                   mime_type: str = "application/octet-stream") -> None:
    """A button that downloads ``data()`` as ``filename``.

    Parameters
    ----------
    data : callable
        Returns the content (read in a thread when the button is clicked).
    filename : str
        Name the browser saves the file under.
    label : str, optional
        Button text (default: the file name).
    mime_type : str
        Content type of the download.
    """
    requested, set_requested = solara.use_state(False)

    def read() -> bytes | None:
        if not requested:
            return None
        content = data()
        return content.encode("utf-8") if isinstance(content, str) else content

    result = solara.use_thread(read, dependencies=[requested])
    ready = result.state == solara.ResultState.FINISHED
    failed = result.state == solara.ResultState.ERROR
    # A file that became unreadable (removed, swapped for a link) stops the spinner and
    # says so, without the server's path.
    DownloadWidget.element(label=label or filename, filename=filename, mime_type=mime_type,
                           bytes=result.value if ready else None,
                           request_download=requested and not failed,
                           on_request_download=set_requested)
    if failed:
        solara.Text(f"{filename} could not be read (removed or not a regular file).",
                    style={"color": "#c62828", "font-size": "12px"})
