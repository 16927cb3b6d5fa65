"""Printed and signed forms (R15, R16): specs, rendering, fonts, local CA, PAdES signing, verification.

No Qt, no database, no services: callers pass plain values (strings already translated, times
from the standard clock, key material from the store). reportlab and pyHanko are imported on first
use, never by ``import desk_app.forms``.

Typical flow::

    from desk_app.forms import pki, signing, verify
    from desk_app.forms.render import render_form, render_to
    from desk_app.forms.spec import FormSpec

    ca = pki.create_ca("前台档案室 CA", "某某客服中心", ca_secret)            # once per database
    user = pki.issue_user(ca, ca_secret, "zhang.san", "张三", user_password)  # once per user

    spec = FormSpec(company, title, record_no, clock.now(), head_hash=None)
    spec.heading("借阅信息").key_values([("借阅人", "张三")]).paragraph(long_text)
    spec.table(header, rows, col_widths=[1, 4, 1])         # wrapping cells, header repeats
    spec.signatures([("clerk", "经办人"), ("supervisor", "主管")])
    rendered = render_form(spec)                            # .pdf, .pages, .slots
    pdf = signing.prepare_fields(rendered.pdf, rendered.slots)   # empty fields, before any signature
    pdf = signing.sign(pdf, "clerk", user.key_pem, password, user.cert_pem, ca.cert_pem,
                       signing.SignatureAppearance(png, "张三", "经办人", clock.now()))
    report = verify.verify_pdf(pdf, ca.cert_pem)            # report.ok, report.signatures[i]...

Big exports: ``spec.rows(header, row_iterator, total=n)`` and
``render_to(spec, path, progress=lambda done, total: keep_going)``; rows are pulled a page at a
time and pages written as they are finished, cancelling raises ``InterruptedError``. Then the
fields are added to the file in place (``signing.rendered_pdf_writer``, ``signing.add_fields``,
``write_in_place``) and ``signing.sign_file`` signs it in place: the file is never held in
memory whole (``registers.write_register_pdf`` does all but the signature).

Modules:

* :mod:`.pki` — ``create_ca``, ``issue_user``, ``load_private_key``, ``reencrypt``,
  ``load_certificate``, ``certificate_names``; ``CaMaterial``, ``UserKeyMaterial``.
* :mod:`.fonts` — ``FONT``, ``register_fonts()``, ``missing_characters(text)``.
* :mod:`.spec` — ``FormSpec``, ``SignatureSlot``, ``SlotRect``, ``SIGNATURE_BOX``, ``format_time``
  (no reportlab: any layer may build a spec).
* :mod:`.render` — ``render``, ``render_form``, ``render_to``; the page (:mod:`.canvas`) and the
  blocks (:mod:`.flowables`) it draws with are internal.
* :mod:`.drawing` — ``fit_text``, ``draw_qr``, ``draw_rows``: canvas helpers shared with labels.
* :mod:`.labels` — ``render_labels`` of ``Label`` values, one per page or on A4 label ``SHEETS``.
* :mod:`.loan_forms` — ``slip_pdf``, ``receipt_pdf``, ``reminder_pdf``.
* :mod:`.handover` — ``render_handover``: the shift handover record, three signature boxes.
* :mod:`.signing` — ``prepare_fields``, ``sign``, ``SignatureAppearance``, ``signature_fields``,
  ``render_appearance``; for files: ``rendered_pdf_writer``, ``add_fields``, ``sign_file``.
* :mod:`.verify` — ``verify_pdf(data, ca_pem, revoked=)`` → ``VerifyReport`` of ``SignatureCheck``
  (the signature container byte for byte, revocation at the signing time).
* :mod:`.crl` — ``make_crl`` (signed by the CA), ``load_crl`` (serial → revocation time).
* :mod:`.sealing` — a secret sealed to a certificate (ECDH) or under a recovery code.
* :mod:`.checkpoint` — the signed audit-checkpoint form and the chain head a signed PDF carries.

Errors are ``desk_app.domain.errors``: a wrong key password is ``AuthenticationFailed``; bad input
(not a PDF, truncated, unknown or already signed field, unreadable image) is ``ValidationError``.
"""
