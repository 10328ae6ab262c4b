"""Flask-AppBuilder's own msgids whose Chinese we supply (FAB's zh catalogue lacks them or says
something wrong for us). Listed so that message extraction keeps them in our catalogue."""

from app.domain.i18n import _l

FAB_OVERRIDES = (
    _l("Add"),
    _l("Edit"),
    _l("Show"),
    _l("Delete"),
    _l("Back"),
    _l("Already exists."),
    # We do check the policy (app.security.passwords), unlike FAB's default help text says.
    _l("Please use a good password policy, this application does not check this for you"),
)
