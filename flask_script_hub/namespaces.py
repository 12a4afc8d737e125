"""Lazy click groups that make plugin namespaces reachable under the ``flask`` command.

Every attribute of this module is a :class:`NamespaceGroup` for the namespace of that name, made
on first access, so that a plugin publishes its namespace to ``flask`` with one entry-point line
and no code::

    [project.entry-points."flask.commands"]
    migrate = "flask_script_hub.namespaces:migrate"

Flask imports every ``flask.commands`` entry point on each call of ``flask`` (``flask --help``
included): importing this module and creating a group imports click (which ``flask`` already
did) and the core's light modules, never a plugin, Flask-SQLAlchemy or the app.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from .entrypoints import entry_points
from .manager import Manager
from .plugins import ENTRY_POINT_GROUP, FLASK_COMMANDS_GROUP, NAMESPACES_MODULE, PluginError

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from .standins import ManagerStandIn

__all__ = ["NamespaceGroup"]

#: Flask's built-in commands, which a namespace never replaces.
FLASK_BUILTINS = ("run", "shell", "routes")


class NamespaceGroup(click.Group):
    """A click group that runs ``manage.py <namespace> ...`` with the app ``flask`` loaded.

    Its arguments are not parsed by click: they go, unchanged, to a root
    :class:`~flask_script_hub.Manager` that loads only this namespace's plugin, so help, options
    and errors are those of ``manage.py`` (``flask migrate upgrade -?``). Root manager options do
    not exist here (the app is the one ``flask`` loaded).

    :param namespace: the plugin namespace (the ``flask_script_hub`` entry-point name).
    :param help: the short help for ``flask --help`` (default: the distribution's Summary).
    """

    def __init__(self, namespace: str, help: str | None = None) -> None:
        super().__init__(
            name=namespace,
            help=help,
            add_help_option=False,
            context_settings={
                "ignore_unknown_options": True,
                "allow_extra_args": True,
                "help_option_names": [],
            },
        )
        self.namespace = namespace

    def _summary(self) -> str:
        if self.help:
            return self.help
        for ep in entry_points((ENTRY_POINT_GROUP, FLASK_COMMANDS_GROUP)):
            if ep.group == ENTRY_POINT_GROUP and ep.name == self.namespace and ep.distribution:
                return f"{ep.summary} ({ep.distribution})".strip()
        return f"The {self.namespace!r} namespace of flask-script-hub (not installed)."

    def get_short_help_str(self, limit: int = 45) -> str:
        """The short help of ``flask --help``, from the plugin's metadata (nothing imported)."""
        text = self._summary()
        return text if len(text) <= limit else text[: max(limit - 3, 0)].rstrip() + "..."

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Keep every argument for ``manage.py``'s parser."""
        ctx.args = list(args)
        return ctx.args

    def _rival(self, ctx: click.Context, app: Any) -> tuple[click.Command, str] | None:
        """A ``flask`` command of this name that is not a flask-script-hub namespace, if any."""
        name = ctx.info_name or self.namespace
        if name in FLASK_BUILTINS:
            import flask.cli

            builtin = {
                "run": flask.cli.run_command,
                "shell": flask.cli.shell_command,
                "routes": flask.cli.routes_command,
            }
            return builtin[name], "Flask's built-in command"
        command = app.cli.commands.get(name)
        if command is not None:
            return command, "the app's command (app.cli)"
        for ep in entry_points((ENTRY_POINT_GROUP, FLASK_COMMANDS_GROUP)):
            rival = ep.group == FLASK_COMMANDS_GROUP and ep.module != NAMESPACES_MODULE
            if rival and ep.name == name:
                dist = ep.distribution or ep.value
                return ep.load(), f"the {FLASK_COMMANDS_GROUP} entry point of {dist}"
        return None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the rival command if there is one (see :func:`~.flask_cli.namespace_group`), else
        ``manage.py <namespace> <args>`` with the app that ``flask`` loaded."""
        from flask.cli import ScriptInfo

        name = ctx.info_name or self.namespace
        app = ctx.ensure_object(ScriptInfo).load_app()
        rival = self._rival(ctx, app)
        if rival is not None:
            command, origin = rival
            print(
                f"note: 'flask {name}' runs {origin}, which takes precedence over the "
                f"flask-script-hub namespace {name!r} (run that one as "
                f"'python -m flask_script_hub {name}')",
                file=sys.stderr,
            )
            with command.make_context(name, list(ctx.args), parent=ctx.parent) as sub:
                return command.invoke(sub)
        manager = self.root_manager()
        prog = ctx.parent.command_path if ctx.parent is not None else "flask"
        ctx.exit(manager.handle(prog, [self.namespace, *ctx.args], app=app))

    def root_manager(self) -> Manager:
        """The root :class:`~flask_script_hub.Manager` that ``flask <namespace> ...`` runs and
        completes through: no default commands, this namespace's plugin alone."""
        return Manager(with_default_commands=False, plugins=[self.namespace])

    def completion_command(self) -> ManagerStandIn | None:
        """The click stand-in of what :meth:`invoke` runs, for click's shell completion.

        :meth:`invoke` hands ``[namespace, *args]`` to a root :class:`~flask_script_hub.Manager`
        that loads this namespace's plugin alone; this is that root manager as a
        :class:`~flask_script_hub.standins.ManagerStandIn`, with the plugin imported. Below it,
        the namespace is a stand-in too (:func:`~flask_script_hub.standins.stand_in`): a
        sub-manager with its options, commands and nested sub-managers, a command with its
        options and positionals, or a mounted click command itself.

        :returns: the stand-in, or ``None`` when the namespace has no plugin, or its plugin
            fails, conflicts or is disabled (its failure, ``BaseException`` included, is
            contained as a :class:`PluginError`, which ``flask <namespace> ...`` then reports).
        """
        manager = self.root_manager()
        try:
            if manager.find_command(self.namespace) is None:
                return None
        except PluginError:
            return None
        from .standins import ManagerStandIn  # completion only: not on `flask --help`'s path

        return ManagerStandIn(self.namespace, manager)

    def _namespace_group(self, ctx: click.Context) -> click.Group | None:
        root = self.completion_command()
        command = root.get_command(ctx, self.namespace) if root is not None else None
        return command if isinstance(command, click.Group) else None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The namespace's command names (imports the plugin; for click's completion).

        A plugin that fails, conflicts or is disabled offers no names (see
        :meth:`completion_command`); nor does a namespace that is a single command.
        """
        group = self._namespace_group(ctx)
        return group.list_commands(ctx) if group is not None else []

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The stand-in of the namespace's command ``cmd_name``, for completion only (the real
        command runs through manage.py); ``None`` when there is none."""
        group = self._namespace_group(ctx)
        return group.get_command(ctx, cmd_name) if group is not None else None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """For click's completion, which alone calls it (:meth:`invoke` does not): the root
        stand-in (:meth:`completion_command`) with ``[namespace, *args]``, the words
        :meth:`invoke` gives ``manage.py``.

        click's completion then parses those words into the stand-ins' contexts as
        ``manage.py <namespace> ...`` would (the namespace's options, nested sub-managers, the
        command's options and positionals) and completes the last word there, by click's own
        rules (``--opt=value``, ``--``, options already given are not offered again).

        :returns: ``(namespace, stand-in, [namespace, *args])``, or ``(None, None, args)`` when
            the namespace offers no completion.
        """
        root = self.completion_command()
        if root is None:
            return None, None, args
        return self.namespace, root, [self.namespace, *args]

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """click's completions of the first word after the namespace (the later words are
        completed below :meth:`resolve_command`'s stand-in): the namespace's commands and,
        after ``-``, its options, as ``manage.py <namespace> <TAB>`` offers them.

        :returns: a list of :class:`click.shell_completion.CompletionItem`; empty when the
            namespace offers no completion.
        """
        from click.shell_completion import ShellComplete

        root = self.completion_command()
        if root is None:
            return []
        complete = ShellComplete(root, {"obj": ctx.obj}, ctx.command_path, "_FLASK_COMPLETE")
        return complete.get_completions([self.namespace, *ctx.args], incomplete)


def __getattr__(name: str) -> NamespaceGroup:
    if name.startswith("__"):
        raise AttributeError(name)
    group = NamespaceGroup(name)
    globals()[name] = group
    return group
